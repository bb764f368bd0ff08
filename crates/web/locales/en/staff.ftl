# Staff pages: the frame and the login (English).
staff-nav = Staff menu
staff-nav-dashboard = Dashboard
staff-nav-moderation = Moderation
staff-nav-admin = Administration
staff-logout = Log out ({ $user })
login-title = Log in
login-username = Username
login-password = Password
login-button = Log in
login-wrong = Wrong username or password.
login-locked = { $n ->
    [one] Too many failed attempts with this username. Try again in a minute.
   *[other] Too many failed attempts with this username. Try again in { $n } minutes.
}
login-too-many = { $n ->
    [one] Too many login attempts from this address. Try again in a minute.
   *[other] Too many login attempts from this address. Try again in { $n } minutes.
}
login-password-off = Password login is turned off on this instance. Use single sign-on.
