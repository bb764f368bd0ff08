# Staff pages: the frame and the login (bokmål).
staff-nav = Ansattmeny
staff-nav-dashboard = Oversikt
staff-nav-moderation = Moderering
staff-nav-admin = Administrasjon
staff-logout = Logg ut ({ $user })
login-title = Logg inn
login-username = Brukernavn
login-password = Passord
login-button = Logg inn
login-wrong = Feil brukernavn eller passord.
login-locked = { $n ->
    [one] For mange mislykkede forsøk med dette brukernavnet. Prøv igjen om ett minutt.
   *[other] For mange mislykkede forsøk med dette brukernavnet. Prøv igjen om { $n } minutter.
}
login-too-many = { $n ->
    [one] For mange innloggingsforsøk fra denne adressen. Prøv igjen om ett minutt.
   *[other] For mange innloggingsforsøk fra denne adressen. Prøv igjen om { $n } minutter.
}
login-password-off = Innlogging med passord er slått av på denne tjenesten. Bruk felles innlogging.
