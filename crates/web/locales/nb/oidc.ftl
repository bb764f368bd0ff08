# oidc: felles innlogging (OpenID Connect) på innloggingssiden, og siden
# som sier hvorfor en slik innlogging ble avvist (nb).
oidc-button = Logg inn med { $label }
oidc-button-default = Logg inn med felles innlogging
oidc-or = Eller:
oidc-refused-title = Innloggingen ble ikke fullført
oidc-refused-state = Dette svaret fra innloggingen er ikke gyldig: det er brukt allerede, det er utløpt, eller innloggingen ble startet i en annen nettleser.
oidc-refused-provider = Innloggingstjenesten logget deg ikke inn: innloggingen ble avbrutt eller avvist der.
oidc-refused-unreachable = Vi fikk ikke kontakt med innloggingstjenesten.
oidc-refused-answer = Svaret fra innloggingstjenesten kunne ikke bekreftes, så du ble ikke logget inn.
oidc-refused-no-claim = Innloggingstjenesten sa ikke hvilken ansattkonto som er din (den sendte ikke «{ $claim }»).
oidc-refused-unknown = Ingen ansattkonto på denne tjenesten passer til «{ $who }».
oidc-refused-disabled = Ansattkontoen «{ $who }» er deaktivert.
oidc-advice-start-again = Start innloggingen på nytt.
oidc-advice-later = Prøv igjen om noen minutter. Hvis det fortsetter, si fra til dem som drifter tjenesten.
oidc-advice-account = En administrator i virksomheten din kan opprette kontoen eller slå den på igjen; brukernavnet må være det samme som i innloggingstjenesten.
oidc-advice-admin = Si fra til dem som drifter tjenesten: innstillingene for felles innlogging må peke på en opplysning som innloggingstjenesten sender.
oidc-back-to-login = Tilbake til innloggingssiden
