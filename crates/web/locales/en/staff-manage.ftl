# staff-manage: messages of this part of the staff pages (en).

## Dashboard
dash-title = Dashboard
dash-greeting = Hello, { $user }. Here is the latest from your agencies.
dash-no-agencies = You are not an editor or administrator of any agency yet.
dash-go-admin = Go to administration
dash-role-admin = You are an administrator
dash-role-editor = You are an editor
dash-public-page = Public page
dash-new-item = New item
dash-all-items = All items
dash-following = Following and followers
dash-moderation = All comments and moderation
dash-items = Latest items
dash-items-total = { $n ->
    [one] One item in all.
   *[other] { $n } items in all.
}
dash-items-none = No items yet.
dash-comments = New comments
dash-comments-none = No new comments in the last two weeks.
dash-comment-on = on
dash-followers = New followers
dash-followers-total = { $n ->
    [one] One follower in all.
   *[other] { $n } followers in all.
}
dash-followed = From accounts you follow
dash-followed-none = Nothing new from the accounts you follow.
dash-failing = Failing deliveries
dash-failing-none = Everything was delivered.
dash-failing-host = Server
dash-failing-activity = Activity
dash-failing-tries = Attempts
dash-failing-next = Next attempt
dash-failing-attempts = { $n ->
    [one] one attempt
   *[other] { $n } attempts
}
dash-failing-given-up = Given up
dash-messages-count = { $n ->
    [0] No private messages
    [one] One private message
   *[other] { $n } private messages
}
dash-messages-many = Over { $n } private messages
dash-messages-title = Private messages to { $agency }
dash-messages-private = Only the agency's own staff can read these messages.
dash-messages-none = No private messages.
dash-messages-ours = Answer from the agency
msg-held-count = { $n ->
    [one] One message from a silenced server is waiting for you to release it
   *[other] { $n } messages from silenced servers are waiting for you to release them
}
msg-held-many = Over { $n } messages from silenced servers are waiting for you to release them
msg-held-title = Held messages to { $agency }
msg-held-back = Back to the messages
msg-held-explain = These messages come from servers the operator has silenced. They are not shown among the messages, nor counted, until you release one; you cannot answer one before that. Release a message to let it through, or delete it.
msg-held-none = No messages are held.
msg-release = Release
msg-done-released = The message has been released and is shown among the messages.
msg-done-deleted = The message has been deleted.

## Following
follow-title = Whom { $agency } follows, and who follows it
follow-back = Back to the dashboard
follow-new = Follow an account
follow-target = Account to follow
follow-target-hint = Type the account's handle, such as @postmottak@social.example.no, or its address.
follow-button = Follow
follow-error-summary = The account could not be followed
follow-error-empty = Type an account to follow.
follow-error-malformed = This is neither a handle like @name@server.no nor a web address.
follow-error-unknown = No such account was found on that server.
follow-error-unreachable = The server did not answer. Check the address or try again later.
follow-error-not-followable = This account cannot be followed from here: it is on this server, or the answer is not an account.
follow-error-refused = This server's federation rules do not allow following this account.
follow-error-moved = The agency has moved and cannot follow new accounts from here.
follow-following = Following
follow-following-none = The agency follows no one yet.
follow-state-accepted = Accepted
follow-state-pending = Waiting for an answer
follow-state-rejected = Refused
follow-unfollow = Unfollow { $name }
follow-followers = Followers
follow-followers-total = { $n ->
    [0] No one follows the agency yet.
    [one] One follower.
   *[other] { $n } followers. The newest are shown here.
}
follow-done-followed = The follow request has been sent.
follow-done-unfollowed = The agency no longer follows the account.

## Comments and moderation
mod-title = Moderation
mod-comments = Latest comments
mod-comments-text = Comments on your agencies' items, newest first. Hidden comments are marked.
mod-none = No comments.
mod-open-thread = Open the conversation and reply
mod-hidden = Hidden
mod-warning = Content warning:
mod-in-reply = in reply to
mod-hide = Hide
mod-unhide = Show again
mod-delete = Delete
mod-block-author = Block the author
mod-edit = Edit
mod-reply = Reply
mod-reply-to = Reply to { $name }
mod-reply-body = Text (Markdown)
mod-reply-button = Publish the reply
mod-comment-as = Comment as { $agency }
mod-report = Report to the author's server
mod-report-reason = Why are you reporting the comment?
mod-report-hint = { $n ->
    [one] At most one character.
   *[other] At most { $n } characters. The other server's moderators read this.
}
mod-report-button = Send the report
mod-thread-title = Comments on “{ $title }”
mod-thread-count = { $n ->
    [0] No comments
    [one] One comment
   *[other] { $n } comments
}
mod-back = Back to moderation
mod-public-page = See the public page
mod-edit-title = Edit a comment on “{ $title }”
mod-edit-back = Back to the conversation
mod-edit-button = Save the change
mod-error-summary = The form has an error
mod-error-body-empty = Type a text.
mod-error-body = The text cannot be published: it is too long or shows nothing.
mod-error-reply-to = The comment you are replying to is no longer shown.
mod-error-reason = Give a reason of at most 1000 characters.
mod-reports = Reports from other servers
mod-reports-none = No open reports.
mod-report-from = Report from
mod-report-objects = About:
mod-resolve = Mark as resolved
mod-domain = Block a domain
mod-domain-text = Applies to the whole server. Suspending stops all exchange with the domain; silencing keeps its comments hidden until a moderator has seen them.
mod-domain-name = Domain
mod-domain-severity = How strict
mod-domain-suspend = Suspend
mod-domain-silence = Silence
mod-domain-button = Block the domain
mod-domain-error-empty = Type a domain.
mod-domain-error-malformed = This is not a domain like social.example.no.
mod-domain-error-own = That is this server's own domain.
mod-done-replied = The reply has been published.
mod-done-edited = The comment has been changed.
mod-done-hidden = The comment has been hidden.
mod-done-unhidden = The comment is shown again.
mod-done-deleted = The comment has been deleted.
mod-done-blocked = The author has been blocked for the agency: their comments on its items are hidden, they no longer follow it (their server is told), and what they send it is refused.
mod-done-blocked-everywhere = The author has been blocked on this whole server and the comment hidden; they no longer follow any agency here (their server is told).
mod-done-unblocked = The block has been lifted. Comments it hid stay hidden until you show them again.
mod-blocks = Blocked accounts
mod-blocks-text = Accounts on other servers your agencies have blocked. What they send an agency that blocked them is refused: follows, comments on its items, messages, likes and boosts. The rest of this server still hears them.
mod-blocks-none = No account is blocked.
mod-blocked-by = Blocked by
mod-unblock = Lift the block
mod-done-reported = The report has been sent.
mod-done-resolved = The report has been marked resolved.
mod-done-domain-blocked = The domain has been blocked.
