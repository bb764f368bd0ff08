# oidc: single sign-on (OpenID Connect) on the login page, and the page
# that says why a single sign-on login was refused (en).
oidc-button = Log in with { $label }
oidc-button-default = Log in with single sign-on
oidc-or = Or:
oidc-refused-title = Login not completed
oidc-refused-state = This login answer is not valid: it has been used already, it has expired, or the login was started in another browser.
oidc-refused-provider = The sign-in service did not log you in: the login was cancelled or refused there.
oidc-refused-unreachable = The sign-in service could not be reached.
oidc-refused-answer = The answer from the sign-in service could not be verified, so you were not logged in.
oidc-refused-no-claim = The sign-in service did not say which staff account is yours (it sent no “{ $claim }”).
oidc-refused-unknown = No staff account on this service matches “{ $who }”.
oidc-refused-disabled = The staff account “{ $who }” is disabled.
oidc-advice-start-again = Start the login again.
oidc-advice-later = Try again in a few minutes. If it keeps happening, tell the people who run this service.
oidc-advice-account = An administrator in your agency can create the account or turn it back on; its username must be the same as in the sign-in service.
oidc-advice-admin = Tell the people who run this service: the single sign-on settings must name a claim the sign-in service sends.
oidc-back-to-login = Back to the login page
