//! Blocks the whole instance keeps: blocking an actor or suspending its
//! domain hides its comments everywhere, since what it sends afterwards
//! (its Deletes and edits too) is refused; a subdomain whose own policy
//! is nearer is left alone, and lifting a block shows nothing again.

use crate::support::{agency, remote_person, simple, ts};
use deling_domain::policy::{Domain, DomainBlock, Severity};
use deling_store::queries::{
    audit::Audit,
    comment::{PublicVisibility, RemoteCommentData},
};

both!(blocks_hide_the_comments_they_make_unanswerable, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let item = store
        .put_item(oslo.id, &simple("guide", "Sak", "nb", &[]))
        .await
        .expect("item");
    let mut authors = Vec::new();
    for host in [
        "spam.example",
        "a.spam.example:8443",
        "ok.spam.example",
        "social.example",
        "elsewhere.example",
    ] {
        let actor = store
            .put_remote_actor(remote_person(host, "eve", true))
            .await
            .expect("actor");
        store
            .save_remote_comment(RemoteCommentData {
                ap_id: format!("https://{host}/notes/1"),
                item_id: item.id,
                in_reply_to_id: None,
                author_remote_actor_id: actor.id,
                content_html: "<p>Hei</p>".into(),
                language: None,
                published_at: ts("2026-12-05T10:00:00Z"),
                hidden: false,
                visibility: PublicVisibility::Public,
                content_warning: None,
                sensitive: false,
            })
            .await
            .expect("comment");
        authors.push(actor);
    }
    let shown = async || -> Vec<String> {
        let mut hosts: Vec<String> = store
            .list_comments(item.id)
            .await
            .expect("comments")
            .into_iter()
            .map(|c| {
                let id = c.ap_id.unwrap_or_default();
                id.split('/').nth(2).unwrap_or_default().to_owned()
            })
            .collect();
        hosts.sort();
        hosts
    };
    assert_eq!(shown().await.len(), 5);

    // A subdomain allowed on its own, then its parent suspended: the
    // parent and its other subdomains' comments are hidden.
    let domain = |d: &str| Domain::parse(d).expect("domain");
    store
        .put_domain_policy(
            &domain("ok.spam.example"),
            Severity::Allow,
            None,
            None,
            None,
        )
        .await
        .expect("allow");
    let audit = Audit::new(None, "cli", "domain_policy.put", "spam.example");
    store
        .put_domain_policy(
            &domain("spam.example"),
            Severity::Suspend,
            None,
            None,
            Some(&audit),
        )
        .await
        .expect("suspend");
    assert_eq!(
        shown().await,
        ["elsewhere.example", "ok.spam.example", "social.example"]
    );
    let entry = store.list_audit(10, 0).await.expect("audit").remove(0);
    assert_eq!(entry.details["comments_hidden"], 2, "{:?}", entry.details);

    // Silencing hides nothing already shown (new comments wait instead).
    store
        .put_domain_policies(
            &[DomainBlock {
                domain: domain("elsewhere.example"),
                severity: Severity::Silence,
                public_comment: None,
            }],
            None,
        )
        .await
        .expect("silence");
    assert_eq!(shown().await.len(), 3);

    // An actor blocked: its comments hidden; lifted: still hidden.
    let eve = "https://social.example/users/eve";
    store.put_actor_block(eve, None, None).await.expect("block");
    assert_eq!(shown().await, ["elsewhere.example", "ok.spam.example"]);
    store.delete_actor_block(eve, None).await.expect("unblock");
    assert_eq!(shown().await, ["elsewhere.example", "ok.spam.example"]);

    // A suspension imported in bulk does the same.
    store
        .put_domain_policies(
            &[DomainBlock {
                domain: domain("elsewhere.example"),
                severity: Severity::Suspend,
                public_comment: None,
            }],
            None,
        )
        .await
        .expect("import");
    assert_eq!(shown().await, ["ok.spam.example"]);
});
