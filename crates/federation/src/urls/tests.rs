//! The URL scheme pinned: every id we mint, built and parsed back.

use super::*;

#[test]
fn builds_ids() {
    let u = Urls::for_domain("deling.oslo.kommune.no", false).expect("url");
    assert_eq!(
        u.agency("oslo").as_str(),
        "https://deling.oslo.kommune.no/agencies/oslo"
    );
    assert_eq!(u.item(7).as_str(), "https://deling.oslo.kommune.no/items/7");
    let d = Urls::for_domain("127.0.0.2:8080", true).expect("url");
    assert_eq!(d.item(1).as_str(), "http://127.0.0.2:8080/items/1");
}

/// Every id we mint, in its exact form: ids are permanent once
/// federated, so a change here breaks peers' references to us.
#[test]
fn pins_every_id() {
    use AgencyCollection as C;
    use LocalActivity as A;
    let u = Urls::for_domain("deling.example.no", false).expect("url");
    let b = "https://deling.example.no";
    let s = || "oslo".to_owned();
    let cases: Vec<(Url, &str, LocalRef)> = vec![
        (u.instance_actor(), "/actor", LocalRef::InstanceActor),
        (u.shared_inbox(), "/inbox", LocalRef::SharedInbox),
        (u.agency("oslo"), "/agencies/oslo", LocalRef::Agency(s())),
        (
            u.agency_inbox("oslo"),
            "/agencies/oslo/inbox",
            LocalRef::AgencyCollection(s(), C::Inbox),
        ),
        (
            u.agency_outbox("oslo"),
            "/agencies/oslo/outbox",
            LocalRef::AgencyCollection(s(), C::Outbox),
        ),
        (
            u.agency_followers("oslo"),
            "/agencies/oslo/followers",
            LocalRef::AgencyCollection(s(), C::Followers),
        ),
        (
            u.agency_following("oslo"),
            "/agencies/oslo/following",
            LocalRef::AgencyCollection(s(), C::Following),
        ),
        (
            u.agency_featured("oslo"),
            "/agencies/oslo/featured",
            LocalRef::AgencyCollection(s(), C::Featured),
        ),
        (
            u.agency_update("oslo", 4),
            "/agencies/oslo/updates/4",
            LocalRef::Activity(A::AgencyUpdate(s(), 4)),
        ),
        (
            u.agency_key_update("oslo", 5),
            "/agencies/oslo/key-updates/5",
            LocalRef::Activity(A::AgencyKeyUpdate(s(), 5)),
        ),
        (
            u.agency_move("oslo", 6),
            "/agencies/oslo/moves/6",
            LocalRef::Activity(A::AgencyMove(s(), 6)),
        ),
        (
            u.agency_delete("oslo"),
            "/agencies/oslo/delete",
            LocalRef::Activity(A::AgencyDelete(s())),
        ),
        (
            u.featured_add("oslo", 7),
            "/agencies/oslo/featured/adds/7",
            LocalRef::Activity(A::FeaturedAdd(s(), 7)),
        ),
        (
            u.featured_remove("oslo", 8),
            "/agencies/oslo/featured/removes/8",
            LocalRef::Activity(A::FeaturedRemove(s(), 8)),
        ),
        (u.item(9), "/items/9", LocalRef::Item(9)),
        (
            u.item_replies(9),
            "/items/9/replies",
            LocalRef::ItemCollection(9, ItemCollection::Replies),
        ),
        (
            u.item_likes(9),
            "/items/9/likes",
            LocalRef::ItemCollection(9, ItemCollection::Likes),
        ),
        (
            u.item_shares(9),
            "/items/9/shares",
            LocalRef::ItemCollection(9, ItemCollection::Shares),
        ),
        (
            u.item_create(9),
            "/items/9/create",
            LocalRef::Activity(A::ItemCreate(9)),
        ),
        (
            u.item_update(9, 10),
            "/items/9/updates/10",
            LocalRef::Activity(A::ItemUpdate(9, 10)),
        ),
        (
            u.item_delete(9),
            "/items/9/delete",
            LocalRef::Activity(A::ItemDelete(9)),
        ),
        (u.comment(11), "/comments/11", LocalRef::Comment(11)),
        (
            u.comment_create(11),
            "/comments/11/create",
            LocalRef::Activity(A::CommentCreate(11)),
        ),
        (
            u.comment_update(11, 12),
            "/comments/11/updates/12",
            LocalRef::Activity(A::CommentUpdate(11, 12)),
        ),
        (
            u.comment_delete(11),
            "/comments/11/delete",
            LocalRef::Activity(A::CommentDelete(11)),
        ),
        (u.share(13), "/shares/13", LocalRef::Share(13)),
        (
            u.share_undo(13),
            "/shares/13/undo",
            LocalRef::Activity(A::ShareUndo(13)),
        ),
        (u.message(14), "/messages/14", LocalRef::Message(14)),
        (
            u.message_create(14),
            "/messages/14/create",
            LocalRef::Activity(A::MessageCreate(14)),
        ),
        (
            u.other_activity("follow", "00ff"),
            "/activities/follow/00ff",
            LocalRef::Activity(A::Other {
                kind: "follow".into(),
                token: "00ff".into(),
            }),
        ),
    ];
    for (built, path, local) in cases {
        assert_eq!(built.as_str(), format!("{b}{path}"));
        assert_eq!(u.parse_local(&built), Some(local.clone()), "{path}");
        assert_eq!(u.url_of(&local), built);
    }
    assert_eq!(
        u.agency_key("oslo").as_str(),
        "https://deling.example.no/agencies/oslo#main-key"
    );
    assert_eq!(
        u.instance_actor_key().as_str(),
        "https://deling.example.no/actor#main-key"
    );
    assert_eq!(
        u.nodeinfo("2.1").as_str(),
        "https://deling.example.no/nodeinfo/2.1"
    );
    assert_eq!(
        u.tag("åpne data").as_str(),
        "https://deling.example.no/tags/%C3%A5pne%20data"
    );
    for other in [
        "https://deling.example.no/",
        "https://deling.example.no/items/07",
        "https://deling.example.no/items/+7",
        "https://deling.example.no/items/7/",
        "https://deling.example.no/items//7",
        "https://deling.example.no/items/7/updates/x",
        "https://deling.example.no/agencies/oslo/other",
        "https://deling.example.no/activities/follow",
        "https://deling.example.no/items/7#x",
        "https://other.example/items/7",
    ] {
        let url = Url::parse(other).expect("url");
        assert_eq!(u.parse_local(&url), None, "{other}");
    }
}

#[test]
fn tells_key_updates_apart() {
    let u = Urls::for_domain("deling.example.no", false).expect("url");
    let id = u.agency_key_update("oslo", 12);
    assert_eq!(
        id.as_str(),
        "https://deling.example.no/agencies/oslo/key-updates/12"
    );
    assert!(u.is_agency_key_update("oslo", id.as_str()));
    // Only that agency's, only that shape: another agency's, a profile
    // Update, or a longer path is signed with the current key.
    assert!(!u.is_agency_key_update("osl", id.as_str()));
    assert!(!u.is_agency_key_update("bergen", id.as_str()));
    for other in [
        "https://deling.example.no/agencies/oslo/updates/12",
        "https://deling.example.no/agencies/oslo/key-updates/",
        "https://deling.example.no/agencies/oslo/key-updates/12/x",
        "https://evil.example/agencies/oslo/key-updates/12",
    ] {
        assert!(!u.is_agency_key_update("oslo", other), "{other}");
    }
}

#[test]
fn parses_local_ids_only() {
    let u = Urls::for_domain("deling.example.no", false).expect("url");
    let p = |s: &str| Url::parse(s).expect("url");
    assert_eq!(
        u.agency_slug_of(&p("https://deling.example.no/agencies/oslo")),
        Some("oslo")
    );
    assert_eq!(
        u.agency_slug_of(&p("https://DELING.example.no/agencies/oslo")),
        Some("oslo")
    );
    assert_eq!(
        u.agency_slug_of(&p("https://evil.example/agencies/oslo")),
        None
    );
    assert_eq!(
        u.agency_slug_of(&p("https://deling.example.no:8443/agencies/oslo")),
        None
    );
    assert_eq!(
        u.agency_slug_of(&p("https://deling.example.no/agencies/oslo/followers")),
        None
    );
    assert_eq!(
        u.agency_slug_of(&p("https://deling.example.no/agencies/")),
        None
    );
    assert_eq!(
        u.message_id_of(&p("https://deling.example.no/messages/12")),
        Some(12)
    );
    assert_eq!(
        u.message_id_of(&p("https://deling.example.no/messages/x")),
        None
    );
    assert_eq!(
        u.message_id_of(&p("https://deling.example.no/messages/12?x=1")),
        None
    );
}

/// A parsed id starts with `scheme://authority/` however its host was
/// spelled (upper case, a default port, Unicode): the inbox's claims pass
/// over a busy server's actors by that prefix of their stored ids.
#[test]
fn a_parsed_id_starts_with_its_authority() {
    for id in [
        "https://Social.EXAMPLE/users/a",
        "https://social.example:443/users/a",
        "http://social.example:80/users/a",
        "https://social.example:8443/users/a",
        "https://[::1]:8443/users/a",
        "https://blå.no/users/a",
    ] {
        let u = Url::parse(id).expect("url");
        let prefix = format!("{}://{}/", u.scheme(), authority(&u));
        assert!(u.as_str().starts_with(&prefix), "{u} against {prefix}");
    }
}
