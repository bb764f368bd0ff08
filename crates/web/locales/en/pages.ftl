# Deling's public pages, English.
# Every message here must also be in ../nb/pages.ftl (a test checks).

language-name = English
language-nav = Language
skip-to-content = Skip to main content
search-label = Search
search-button = Search
search-title = Search
search-hint = Type words, "a phrase" in quotes, prefix* or -word to leave out.
search-results = Results
search-found = { $n ->
    [one] { $n } match
   *[other] { $n } matches
}
search-capped = Very many matches: only the best are ranked. Add words or choose a kind.
search-error-too-long = The search is too long.
search-error-quote = A quotation mark is not closed.
search-error-word = One of the words is too long.
search-error-clauses = The search has too many words and phrases.
search-error-prefix = Type at least two letters before the *.
footer-home = Front page
footer-feed = Atom feed
footer-api = API (OpenAPI)
footer-powered = Powered by Deling, free software for sharing between public bodies.

front-title = Front page
front-intro-default = A Deling server: public bodies share guides, datasets, software, service descriptions, questions and events, and follow each other across the fediverse.
front-operator = Run by
front-contact = Contact
front-agencies = Agencies
front-no-agencies = No agencies have been created yet.
front-latest = New from the agencies here and those they follow

items-total = { $n ->
    [one] { $n } item
   *[other] { $n } items
}
items-none = Nothing here yet.
kinds-nav = Filter by kind
kinds-all = All kinds
kinds-guide = Guides
kinds-dataset = Datasets
kinds-software = Software
kinds-service = Services
kinds-question = Questions
kinds-event = Events
kind-guide = Guide
kind-dataset = Dataset
kind-software = Software
kind-service = Service
kind-question = Question
kind-event = Event
pager-nav = Pages
pager-prev = Previous page
pager-next = Next page
pager-label = Page { $page } of { $pages }

feed-instance = { $name }: new items
feed-agency = { $name }: new items
feed-tag = Tag #{ $tag }: new items

agency-moved = This agency has moved to
agency-website = Website
agency-org-number = Organisation number
agency-followers-label = Followers
agency-followers = { $n ->
    [one] { $n } follower
   *[other] { $n } followers
}
agency-follow-title = Follow from Mastodon or another fediverse server
agency-follow-text = Search for the address below on your own server, or type your server and we will send you there.
agency-handle-label = Address
agency-handle-copy = Copy
agency-handle-copied = Copied
agency-pinned = Pinned
agency-items = Items
agency-following = Following
agency-following-none = Not following anyone yet.

interact-server-label = Your server or account
interact-server-hint = For example mastodon.social or @name@mastodon.social
interact-follow-button = Follow from my server
interact-reply-button = Reply from my server
interact-continue-button = Continue
interact-title = From your own server
interact-error-server = We could not find that server. Type the server's name (like mastodon.social) or your account (like @name@mastodon.social).
interact-back = Back
interact-confirm-title = Continue to your own server
interact-confirm-lead = You are about to leave { $site } for this server:
interact-confirm-address = Full address
interact-confirm-other-host = This is not the server you typed ({ $server }). Continue only if you expected to go there.
interact-confirm-warning = { $site } does not run that server and cannot vouch for it. Continue only if it is your own server.
interact-confirm-continue = Continue to { $host }
interact-confirm-back = No, go back
interact-error-destination = Your server answered with an address that is not a web page, so we will not send you there. Check the server's name, or search for this page's address on your own server instead.

item-updated = updated
item-facts = About this item
item-license = Licence
item-based-on = Based on
item-tags = Tags
item-links = Links and attachments
item-counts = Reactions
count-likes = { $n ->
    [one] { $n } like
   *[other] { $n } likes
}
count-shares = { $n ->
    [one] { $n } share
   *[other] { $n } shares
}
count-comments = { $n ->
    [one] { $n } comment
   *[other] { $n } comments
}
comments-title = { $n ->
    [0] Comments
    [one] { $n } comment
   *[other] { $n } comments
}
comments-none = No comments yet.
comments-page-empty = No comments on this page: they may have been removed since.
comments-nav = More comments
comments-earlier = Earlier comments
comments-later = Later comments
comment-in-reply = in reply to a comment
comment-warning = Content warning:
item-reply-title = Comment from your own server
item-reply-text = Reply from Mastodon or another fediverse server: type your server and we will send you to this post there.

meta-audience = Audience
meta-access-rights = Access
access-public = Open to all
access-restricted = Restricted
access-non-public = Not public
meta-landing-page = The dataset's page
meta-theme = Theme
meta-distributions = Distributions
dist-title = Distribution
dist-format = Format
meta-repository = Source code
meta-development-status = Development status
status-concept = Concept
status-development = In development
status-beta = Beta
status-stable = Stable
status-obsolete = Obsolete
meta-version = Version
meta-platforms = Platforms
meta-publiccode = publiccode.yml
meta-service-url = Use the service
meta-question-status = Status
question-open = Open
question-answered = Answered
meta-starts = Starts
meta-ends = Ends
meta-location = Place
meta-online = Join online

tag-title = Tag #{ $tag }
tag-items = Items with this tag

error-back-home = To the front page
error-bad-request-title = Invalid address
error-bad-request-text = The address or form holds something we do not understand.
error-forbidden-title = Not allowed
error-forbidden-text = Your account may not do this. Ask an administrator of the agency if you need to.
error-form-expired-title = The form has expired
error-form-expired-text = The form could not be sent, perhaps because the page was open a long time or you have logged out. Go back, reload the page and try again.
error-conflict-title = Could not be saved
error-conflict-text = The change clashes with what is already stored, perhaps because someone else just changed the same thing, or a limit has been reached. Go back, reload the page and try again.
error-not-found-title = Page not found
error-not-found-text = There is nothing at this address. Perhaps the link is wrong?
error-gone-title = Withdrawn
error-gone-text = This was withdrawn by those who published it and is no longer shown.
error-too-many-title = Too many requests
error-too-many-text = Wait a little and try again.
error-internal-title = Something went wrong
error-internal-text = The server could not show the page. The error has been logged; try again later.
