# staff-manage: messages of this part of the staff pages (nb).

## Dashboard
dash-title = Oversikt
dash-greeting = Hei, { $user }. Her er det siste fra virksomhetene dine.
dash-no-agencies = Du er ikke redaktør eller administrator for noen virksomhet ennå.
dash-go-admin = Gå til administrasjonen
dash-role-admin = Du er administrator
dash-role-editor = Du er redaktør
dash-public-page = Offentlig side
dash-new-item = Ny delingsartikkel
dash-all-items = Alle delingsartikler
dash-following = Følger og følgere
dash-moderation = Alle kommentarer og moderering
dash-items = Siste delingsartikler
dash-items-total = { $n ->
    [one] Én delingsartikkel i alt.
   *[other] { $n } delingsartikler i alt.
}
dash-items-none = Ingen delingsartikler ennå.
dash-comments = Nye kommentarer
dash-comments-none = Ingen nye kommentarer de siste to ukene.
dash-comment-on = om
dash-followers = Nye følgere
dash-followers-total = { $n ->
    [one] Én følger i alt.
   *[other] { $n } følgere i alt.
}
dash-followed = Fra kontoer dere følger
dash-followed-none = Ingenting nytt fra kontoene dere følger.
dash-failing = Leveranser som feiler
dash-failing-none = Alt er levert.
dash-failing-host = Tjener
dash-failing-activity = Aktivitet
dash-failing-tries = Forsøk
dash-failing-next = Neste forsøk
dash-failing-attempts = { $n ->
    [one] ett forsøk
   *[other] { $n } forsøk
}
dash-failing-given-up = Gitt opp
dash-messages-count = { $n ->
    [0] Ingen private meldinger
    [one] Én privat melding
   *[other] { $n } private meldinger
}
dash-messages-many = Over { $n } private meldinger
dash-messages-title = Private meldinger til { $agency }
dash-messages-private = Bare de ansatte i virksomheten kan lese disse meldingene.
dash-messages-none = Ingen private meldinger.
dash-messages-ours = Svar fra virksomheten
msg-held-count = { $n ->
    [one] Én melding fra en dempet tjener venter på at du slipper den gjennom
   *[other] { $n } meldinger fra dempede tjenere venter på at du slipper dem gjennom
}
msg-held-many = Over { $n } meldinger fra dempede tjenere venter på at du slipper dem gjennom
msg-held-title = Tilbakeholdte meldinger til { $agency }
msg-held-back = Tilbake til meldingene
msg-held-explain = Disse meldingene kommer fra tjenere som driftsansvarlig har dempet. De vises ikke blant meldingene og telles ikke før du slipper dem gjennom, og du kan ikke svare på dem før det. Slipp en melding gjennom, eller slett den.
msg-held-none = Ingen meldinger er holdt tilbake.
msg-release = Slipp gjennom
msg-done-released = Meldingen er sluppet gjennom og vises blant meldingene.
msg-done-deleted = Meldingen er slettet.

## Following
follow-title = { $agency } følger og blir fulgt
follow-back = Tilbake til oversikten
follow-new = Følg en konto
follow-target = Konto å følge
follow-target-hint = Skriv kontonavnet, for eksempel @postmottak@social.example.no, eller adressen til kontoen.
follow-button = Følg
follow-error-summary = Kontoen kunne ikke følges
follow-error-empty = Skriv inn en konto å følge.
follow-error-malformed = Dette er ikke et kontonavn som @navn@tjener.no eller en nettadresse.
follow-error-unknown = Fant ingen slik konto på den tjeneren.
follow-error-unreachable = Tjeneren svarte ikke. Sjekk adressen eller prøv igjen senere.
follow-error-not-followable = Denne kontoen kan ikke følges herfra: den er på denne tjenesten, eller svaret er ikke en konto.
follow-error-refused = Føderasjonsreglene på denne tjenesten tillater ikke å følge denne kontoen.
follow-error-moved = Virksomheten har flyttet og kan ikke følge nye kontoer herfra.
follow-following = Følger
follow-following-none = Virksomheten følger ingen ennå.
follow-state-accepted = Godtatt
follow-state-pending = Venter på svar
follow-state-rejected = Avslått
follow-unfollow = Slutt å følge { $name }
follow-followers = Følgere
follow-followers-total = { $n ->
    [0] Ingen følger virksomheten ennå.
    [one] Én følger.
   *[other] { $n } følgere. De nyeste vises her.
}
follow-done-followed = Forespørselen om å følge er sendt.
follow-done-unfollowed = Virksomheten følger ikke lenger kontoen.

## Comments and moderation
mod-title = Moderering
mod-comments = Siste kommentarer
mod-comments-text = Kommentarer på virksomhetenes delingsartikler, de nyeste først. Skjulte kommentarer er merket.
mod-none = Ingen kommentarer.
mod-open-thread = Åpne samtalen og svar
mod-hidden = Skjult
mod-warning = Innholdsadvarsel:
mod-in-reply = svar på
mod-hide = Skjul
mod-unhide = Vis igjen
mod-delete = Slett
mod-block-author = Blokker forfatteren
mod-edit = Rediger
mod-reply = Svar
mod-reply-to = Svar til { $name }
mod-reply-body = Tekst (Markdown)
mod-reply-button = Publiser svaret
mod-comment-as = Kommenter som { $agency }
mod-report = Rapporter til tjeneren til forfatteren
mod-report-reason = Hvorfor rapporterer du kommentaren?
mod-report-hint = { $n ->
    [one] Høyst ett tegn.
   *[other] Høyst { $n } tegn. Moderatorene på den andre tjeneren leser dette.
}
mod-report-button = Send rapporten
mod-thread-title = Kommentarer på «{ $title }»
mod-thread-count = { $n ->
    [0] Ingen kommentarer
    [one] Én kommentar
   *[other] { $n } kommentarer
}
mod-back = Tilbake til moderering
mod-public-page = Se den offentlige siden
mod-edit-title = Rediger kommentar på «{ $title }»
mod-edit-back = Tilbake til samtalen
mod-edit-button = Lagre endringen
mod-error-summary = Skjemaet har en feil
mod-error-body-empty = Skriv en tekst.
mod-error-body = Teksten kan ikke publiseres: den er for lang eller viser ingenting.
mod-error-reply-to = Kommentaren du svarer på er ikke lenger synlig.
mod-error-reason = Skriv en begrunnelse på høyst 1000 tegn.
mod-reports = Rapporter fra andre tjenere
mod-reports-none = Ingen åpne rapporter.
mod-report-from = Rapport fra
mod-report-objects = Gjelder:
mod-resolve = Merk som løst
mod-domain = Blokker et domene
mod-domain-text = Gjelder hele tjenesten. Full blokkering stopper all utveksling med domenet; begrensning holder kommentarene derfra skjult til en moderator har sett dem.
mod-domain-name = Domene
mod-domain-severity = Hvor strengt
mod-domain-suspend = Blokker helt
mod-domain-silence = Begrens
mod-domain-button = Blokker domenet
mod-domain-error-empty = Skriv inn et domene.
mod-domain-error-malformed = Dette er ikke et domene som social.example.no.
mod-domain-error-own = Det er denne tjenestens eget domene.
mod-done-replied = Svaret er publisert.
mod-done-edited = Kommentaren er endret.
mod-done-hidden = Kommentaren er skjult.
mod-done-unhidden = Kommentaren vises igjen.
mod-done-deleted = Kommentaren er slettet.
mod-done-blocked = Forfatteren er blokkert for virksomheten: kommentarene deres på virksomhetens delingsartikler er skjult, de følger den ikke lenger (tjeneren deres får beskjed), og det de sender den, blir avvist.
mod-done-blocked-everywhere = Forfatteren er blokkert på hele denne tjenesten, og kommentaren er skjult; de følger ingen virksomhet her lenger (tjeneren deres får beskjed).
mod-done-unblocked = Blokkeringen er opphevet. Kommentarer den skjulte, forblir skjult til du viser dem igjen.
mod-blocks = Blokkerte kontoer
mod-blocks-text = Kontoer på andre servere som virksomhetene har blokkert. Det de sender til en virksomhet som har blokkert dem, blir avvist: følging, kommentarer på delingsartiklene, meldinger, likerklikk og deling. Resten av tjenesten hører dem fortsatt.
mod-blocks-none = Ingen kontoer er blokkert.
mod-blocked-by = Blokkert av
mod-unblock = Opphev blokkeringen
mod-done-reported = Rapporten er sendt.
mod-done-resolved = Rapporten er merket som løst.
mod-done-domain-blocked = Domenet er blokkert.
