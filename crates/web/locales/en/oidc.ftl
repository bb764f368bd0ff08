# oidc: messages of this part of the staff pages (en).
