# Deling's public pages, Norwegian bokmål (the default language).
# Every message here must also be in ../en/pages.ftl (a test checks).

language-name = Norsk bokmål
language-nav = Språk
skip-to-content = Gå til hovedinnholdet
search-label = Søk
search-button = Søk
search-title = Søk
search-hint = Skriv ord, «en frase» i anførselstegn, begynnelse* eller -ord som ikke skal være med.
search-results = Resultater
search-found = { $n ->
    [one] { $n } treff
   *[other] { $n } treff
}
search-capped = Svært mange treff: bare de beste er rangert. Legg til ord eller velg en type.
search-error-too-long = Søket er for langt.
search-error-quote = Et anførselstegn er ikke lukket.
search-error-word = Et av ordene er for langt.
search-error-clauses = Søket har for mange ord og fraser.
search-error-prefix = Skriv minst to bokstaver før *.
footer-home = Forsiden
footer-feed = Atom-feed
footer-api = API (OpenAPI)
footer-powered = Drevet av Deling, fri programvare for deling mellom offentlige virksomheter.

front-title = Forsiden
front-intro-default = En Deling-tjener: offentlige virksomheter deler veiledere, datasett, programvare, tjenestebeskrivelser, spørsmål og arrangementer, og følger hverandre i fødiverset.
front-operator = Driftes av
front-contact = Kontakt
front-agencies = Virksomheter
front-no-agencies = Ingen virksomheter er opprettet ennå.
front-latest = Nytt fra virksomhetene her og dem de følger

items-total = { $n ->
    [one] { $n } oppføring
   *[other] { $n } oppføringer
}
items-none = Ingen oppføringer her ennå.
kinds-nav = Filtrer etter type
kinds-all = Alle typer
kinds-guide = Veiledere
kinds-dataset = Datasett
kinds-software = Programvare
kinds-service = Tjenester
kinds-question = Spørsmål
kinds-event = Arrangementer
kind-guide = Veileder
kind-dataset = Datasett
kind-software = Programvare
kind-service = Tjeneste
kind-question = Spørsmål
kind-event = Arrangement
pager-nav = Sider
pager-prev = Forrige side
pager-next = Neste side
pager-label = Side { $page } av { $pages }

feed-instance = { $name }: nye oppføringer
feed-agency = { $name }: nye oppføringer
feed-tag = Emneknagg #{ $tag }: nye oppføringer

agency-moved = Denne virksomheten har flyttet til
agency-website = Nettsted
agency-org-number = Organisasjonsnummer
agency-followers-label = Følgere
agency-followers = { $n ->
    [one] { $n } følger
   *[other] { $n } følgere
}
agency-follow-title = Følg fra Mastodon eller en annen tjener i fødiverset
agency-follow-text = Søk etter adressen under på din egen tjener, eller skriv inn tjeneren din, så sender vi deg dit.
agency-handle-label = Adresse
agency-handle-copy = Kopier
agency-handle-copied = Kopiert
agency-pinned = Festet
agency-items = Oppføringer
agency-following = Følger
agency-following-none = Følger ingen ennå.

interact-server-label = Din tjener eller konto
interact-server-hint = For eksempel mastodon.social eller @navn@mastodon.social
interact-follow-button = Følg fra min tjener
interact-reply-button = Svar fra min tjener
interact-continue-button = Fortsett
interact-title = Fra din egen tjener
interact-error-server = Vi fant ikke den tjeneren. Skriv navnet på tjeneren (som mastodon.social) eller kontoen din (som @navn@mastodon.social).
interact-back = Tilbake
interact-confirm-title = Gå videre til din egen tjener
interact-confirm-lead = Du er i ferd med å forlate { $site } og gå til denne tjeneren:
interact-confirm-address = Full adresse
interact-confirm-other-host = Dette er ikke tjeneren du skrev inn ({ $server }). Fortsett bare hvis du ventet å komme dit.
interact-confirm-warning = { $site } driver ikke den tjeneren og kan ikke gå god for den. Fortsett bare hvis det er din egen tjener.
interact-confirm-continue = Gå videre til { $host }
interact-confirm-back = Nei, gå tilbake
interact-error-destination = Tjeneren din svarte med en adresse som ikke er en nettside, så vi sender deg ikke dit. Sjekk navnet på tjeneren, eller søk etter adressen til denne siden på din egen tjener i stedet.

item-updated = oppdatert
item-facts = Om oppføringen
item-license = Lisens
item-based-on = Bygger på
item-tags = Emneknagger
item-links = Lenker og vedlegg
item-counts = Reaksjoner
count-likes = { $n ->
    [one] { $n } liker
   *[other] { $n } liker
}
count-shares = { $n ->
    [one] { $n } deling
   *[other] { $n } delinger
}
count-comments = { $n ->
    [one] { $n } kommentar
   *[other] { $n } kommentarer
}
comments-title = { $n ->
    [0] Kommentarer
    [one] { $n } kommentar
   *[other] { $n } kommentarer
}
comments-none = Ingen kommentarer ennå.
comments-page-empty = Ingen kommentarer på denne siden: de kan ha blitt fjernet siden.
comments-nav = Flere kommentarer
comments-earlier = Tidligere kommentarer
comments-later = Senere kommentarer
comment-in-reply = svar på en kommentar
comment-warning = Innholdsadvarsel:
item-reply-title = Kommenter fra din egen tjener
item-reply-text = Svar fra Mastodon eller en annen tjener i fødiverset: skriv inn tjeneren din, så sender vi deg til innlegget der.

meta-audience = Målgruppe
meta-access-rights = Tilgang
access-public = Åpen for alle
access-restricted = Begrenset
access-non-public = Ikke offentlig
meta-landing-page = Datasettets side
meta-theme = Tema
meta-distributions = Distribusjoner
dist-title = Distribusjon
dist-format = Format
meta-repository = Kildekode
meta-development-status = Utviklingsstatus
status-concept = Idé
status-development = Under utvikling
status-beta = Beta
status-stable = Stabil
status-obsolete = Utgått
meta-version = Versjon
meta-platforms = Plattformer
meta-publiccode = publiccode.yml
meta-service-url = Bruk tjenesten
meta-question-status = Status
question-open = Åpent
question-answered = Besvart
meta-starts = Starter
meta-ends = Slutter
meta-location = Sted
meta-online = Delta på nett

tag-title = Emneknagg #{ $tag }
tag-items = Oppføringer med emneknaggen

error-back-home = Til forsiden
error-bad-request-title = Ugyldig adresse
error-bad-request-text = Adressen eller skjemaet inneholder noe vi ikke forstår.
error-forbidden-title = Ingen tilgang
error-forbidden-text = Kontoen din har ikke rett til å gjøre dette. Spør en administrator for virksomheten om du trenger det.
error-form-expired-title = Skjemaet er utløpt
error-form-expired-text = Skjemaet kunne ikke sendes, kanskje fordi siden var åpen lenge eller du har logget ut. Gå tilbake, last inn siden på nytt og prøv igjen.
error-conflict-title = Kunne ikke lagres
error-conflict-text = Endringen passer ikke med det som allerede er lagret, kanskje fordi noen andre endret det samme nettopp, eller fordi en grense er nådd. Gå tilbake, last inn siden på nytt og prøv igjen.
error-not-found-title = Fant ikke siden
error-not-found-text = Det finnes ingenting på denne adressen. Kanskje lenken er feil?
error-gone-title = Trukket tilbake
error-gone-text = Dette er trukket tilbake av dem som publiserte det, og vises ikke lenger.
error-too-many-title = For mange forespørsler
error-too-many-text = Vent litt og prøv igjen.
error-internal-title = Noe gikk galt
error-internal-text = Tjeneren klarte ikke å vise siden. Feilen er logget; prøv igjen senere.
