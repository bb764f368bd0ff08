//! Staff accounts, memberships and the last-admin guard.

use crate::support::{agency, staff};
use deling_domain::auth::{Password, Role, Username, verify_password};
use deling_store::StoreError;

both!(staff_and_memberships, |store| {
    let password = Password::parse("correct horse battery staple").expect("valid password");
    let hash = password.hash();
    let kari_name = Username::parse("kari.nordmann").expect("valid username");
    let kari = store
        .put_staff(&kari_name, hash.clone(), false)
        .await
        .expect("put kari");
    assert!(kari.id > 0);
    assert_eq!(kari.username, "kari.nordmann");
    assert_eq!(kari.password_hash, hash);
    assert!(!kari.instance_admin);
    assert_eq!(kari.disabled_at, None);
    let read = store
        .get_staff_by_username("kari.nordmann")
        .await
        .expect("get")
        .expect("kari exists");
    assert_eq!(read, kari);
    assert!(verify_password(
        "correct horse battery staple",
        &read.password_hash
    ));
    assert_eq!(store.get_staff_by_username("ola").await.expect("get"), None);

    let ola = store
        .put_staff(&Username::parse("ola").expect("valid"), "x".into(), true)
        .await
        .expect("put ola");
    assert!(ola.instance_admin);
    assert_eq!(
        store.get_staff_by_username("ola").await.expect("get"),
        Some(ola.clone())
    );

    // A taken username is a conflict and leaves the account as it was.
    match store.put_staff(&kari_name, "other".into(), true).await {
        Err(StoreError::Conflict(msg)) => {
            assert!(
                msg.contains("kari.nordmann"),
                "conflict message names the user: {msg}"
            )
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        store
            .get_staff_by_username("kari.nordmann")
            .await
            .expect("get"),
        Some(kari.clone())
    );

    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let bergen = agency(&store, "bergen", "Bergen kommune").await;

    assert_eq!(store.get_role(kari.id, oslo.id).await.expect("role"), None);
    assert!(
        store
            .list_memberships(kari.id)
            .await
            .expect("list")
            .is_empty()
    );

    store
        .put_membership(kari.id, oslo.id, Role::Editor)
        .await
        .expect("editor in oslo");
    assert_eq!(
        store.get_role(kari.id, oslo.id).await.expect("role"),
        Some(Role::Editor)
    );
    assert_eq!(
        store.get_role(kari.id, bergen.id).await.expect("role"),
        None
    );
    assert_eq!(store.get_role(ola.id, oslo.id).await.expect("role"), None);

    // Giving a role again replaces the one held.
    store
        .put_membership(kari.id, oslo.id, Role::Admin)
        .await
        .expect("admin in oslo");
    assert_eq!(
        store.get_role(kari.id, oslo.id).await.expect("role"),
        Some(Role::Admin)
    );
    assert_eq!(
        store.list_memberships(kari.id).await.expect("list"),
        vec![(oslo.clone(), Role::Admin)]
    );
    // And can go down again.
    store
        .put_membership(kari.id, oslo.id, Role::Editor)
        .await
        .expect("editor in oslo again");
    assert_eq!(
        store.get_role(kari.id, oslo.id).await.expect("role"),
        Some(Role::Editor)
    );

    store
        .put_membership(kari.id, bergen.id, Role::Admin)
        .await
        .expect("admin in bergen");
    store
        .put_membership(ola.id, oslo.id, Role::Admin)
        .await
        .expect("ola admin in oslo");
    assert_eq!(
        store.list_memberships(kari.id).await.expect("list"),
        vec![(bergen.clone(), Role::Admin), (oslo.clone(), Role::Editor)],
        "memberships by agency slug, each with its own role"
    );
    assert_eq!(
        store.list_memberships(ola.id).await.expect("list"),
        vec![(oslo.clone(), Role::Admin)]
    );

    // Foreign keys hold: no membership for a staff member or agency that
    // does not exist.
    assert!(matches!(
        store
            .put_membership(kari.id + ola.id + 100, oslo.id, Role::Editor)
            .await,
        Err(StoreError::Db(_))
    ));
    assert!(matches!(
        store
            .put_membership(kari.id, oslo.id + bergen.id + 100, Role::Editor)
            .await,
        Err(StoreError::Db(_))
    ));
});

both!(last_admin_guard, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let kari = staff(&store, "kari").await;
    let ola = staff(&store, "ola").await;
    for s in [&kari, &ola] {
        store
            .set_member_role(oslo.id, s.id, Some(Role::Admin), true, None)
            .await
            .expect("grant");
    }
    let members = store.list_agency_members(oslo.id).await.expect("members");
    assert_eq!(
        members
            .iter()
            .map(|(s, r)| (s.username.as_str(), *r))
            .collect::<Vec<_>>(),
        [("kari", Role::Admin), ("ola", Role::Admin)]
    );
    // Both step down at the same moment: exactly one may.
    for _ in 0..5 {
        let (a, b) = tokio::join!(
            store.set_member_role(oslo.id, kari.id, Some(Role::Editor), true, None),
            store.set_member_role(oslo.id, ola.id, None, true, None),
        );
        let ok = [a.is_ok(), b.is_ok()];
        assert_eq!(
            ok.iter().filter(|x| **x).count(),
            1,
            "exactly one may step down: {a:?} {b:?}"
        );
        assert!(
            matches!(&a, Ok(_) | Err(StoreError::Conflict(_)))
                && matches!(&b, Ok(_) | Err(StoreError::Conflict(_))),
            "{a:?} {b:?}"
        );
        let admins = store
            .list_agency_members(oslo.id)
            .await
            .expect("members")
            .into_iter()
            .filter(|(_, r)| *r == Role::Admin)
            .count();
        assert_eq!(admins, 1);
        // Back to two admins for the next round.
        for s in [&kari, &ola] {
            store
                .set_member_role(oslo.id, s.id, Some(Role::Admin), true, None)
                .await
                .expect("grant");
        }
    }
    // Without the guard (an instance admin), the last admin can go.
    store
        .set_member_role(oslo.id, kari.id, None, true, None)
        .await
        .expect("one of two");
    assert!(matches!(
        store
            .set_member_role(oslo.id, ola.id, None, true, None)
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store
            .set_member_role(oslo.id, ola.id, None, false, None)
            .await
            .expect("unguarded"),
        Some(Role::Admin)
    );
    assert!(
        store
            .list_agency_members(oslo.id)
            .await
            .expect("members")
            .is_empty()
    );
});
