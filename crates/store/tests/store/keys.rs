//! Key rotation of an agency.

use crate::support::agency;
use chrono::{Duration, Utc};
use deling_store::StoreError;

both!(key_rotation, |store| {
    use deling_store::queries::{audit::Audit, outbox::OutboxKind};
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let nav = agency(&store, "nav", "NAV").await;
    let events = store
        .list_pending_outbox_events(100)
        .await
        .expect("events")
        .len();
    let audits = store.list_audit(100, 0).await.expect("audit").len();
    let until = Utc::now() + Duration::days(7);
    let audit = Audit::new(None, "cli", "agency.rotate_key", "oslo");
    let rotated = store
        .rotate_agency_key(
            oslo.id,
            "new-pub".into(),
            "new-priv".into(),
            until,
            Some(&audit),
        )
        .await
        .expect("rotate");
    assert_eq!(
        (
            rotated.public_key_pem.as_str(),
            rotated.private_key_pem.as_str()
        ),
        ("new-pub", "new-priv")
    );
    assert_eq!(
        rotated.previous_public_key_pem,
        Some(oslo.public_key_pem.clone())
    );
    assert_eq!(
        rotated.previous_private_key_pem,
        Some(oslo.private_key_pem.clone())
    );
    let kept = rotated.previous_key_expires_at.expect("expiry");
    assert!((kept - until).num_seconds().abs() <= 1, "{kept} vs {until}");
    // The announcement and its audit entry go with it.
    let pending = store.list_pending_outbox_events(100).await.expect("events");
    assert_eq!(pending.len(), events + 1);
    let last = pending.last().expect("event");
    assert_eq!(
        (last.kind, last.agency_id),
        (OutboxKind::AgencyKeyRotate, Some(oslo.id))
    );
    let log = store.list_audit(100, 0).await.expect("audit");
    assert_eq!(log.len(), audits + 1);
    assert_eq!(log[0].action, "agency.rotate_key");
    // Other agencies keep their keys.
    assert_eq!(
        store.get_agency(nav.id).await.expect("read"),
        Some(nav.clone())
    );
    // Not expired yet: nothing is erased.
    assert!(
        !store
            .delete_expired_previous_key(oslo.id)
            .await
            .expect("erase")
    );

    // A second rotation keeps the key it replaces, not the first one; a
    // time not in the future keeps none.
    let again = store
        .rotate_agency_key(
            oslo.id,
            "newer-pub".into(),
            "newer-priv".into(),
            until,
            None,
        )
        .await
        .expect("rotate again");
    assert_eq!(again.previous_private_key_pem.as_deref(), Some("new-priv"));
    let now_ = store
        .rotate_agency_key(oslo.id, "p3".into(), "k3".into(), Utc::now(), None)
        .await
        .expect("rotate without grace");
    assert_eq!(
        (
            now_.previous_public_key_pem,
            now_.previous_private_key_pem,
            now_.previous_key_expires_at
        ),
        (None, None, None)
    );

    // Expired: erased once.
    store
        .rotate_agency_key(
            oslo.id,
            "p4".into(),
            "k4".into(),
            Utc::now() + Duration::milliseconds(300),
            None,
        )
        .await
        .expect("rotate briefly");
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert!(
        store
            .delete_expired_previous_key(oslo.id)
            .await
            .expect("erase")
    );
    assert!(
        !store
            .delete_expired_previous_key(oslo.id)
            .await
            .expect("erase")
    );
    let erased = store
        .get_agency(oslo.id)
        .await
        .expect("read")
        .expect("agency");
    assert_eq!(
        (
            erased.private_key_pem.as_str(),
            erased.previous_private_key_pem
        ),
        ("k4", None)
    );

    // A withdrawn agency keeps its key (it signs the Delete) and cannot
    // rotate it; nothing is queued or logged.
    store.withdraw_agency(nav.id, None).await.expect("withdraw");
    let events = store
        .list_pending_outbox_events(100)
        .await
        .expect("events")
        .len();
    assert!(matches!(
        store
            .rotate_agency_key(nav.id, "x".into(), "y".into(), until, Some(&audit))
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store
            .rotate_agency_key(9_999, "x".into(), "y".into(), until, None)
            .await,
        Err(StoreError::NotFound(_))
    ));
    let after = store
        .get_agency(nav.id)
        .await
        .expect("read")
        .expect("agency");
    assert_eq!(after.private_key_pem, nav.private_key_pem);
    assert_eq!(
        store
            .list_pending_outbox_events(100)
            .await
            .expect("events")
            .len(),
        events
    );

    // The instance actor: none before the first start, then replaced.
    assert!(matches!(
        store
            .rotate_instance_key("a".into(), "b".into(), None)
            .await,
        Err(StoreError::NotFound(_))
    ));
    let before = store
        .get_or_put_instance("deling.example", "Deling", || ("ip".into(), "ik".into()))
        .await
        .expect("instance");
    let audits = store.list_audit(100, 0).await.expect("audit").len();
    let instance = store
        .rotate_instance_key(
            "ip2".into(),
            "ik2".into(),
            Some(&Audit::new(None, "cli", "instance.rotate_key", "instance")),
        )
        .await
        .expect("rotate instance");
    assert_eq!(
        (
            instance.public_key_pem.as_str(),
            instance.private_key_pem.as_str()
        ),
        ("ip2", "ik2")
    );
    assert_eq!((instance.id, instance.domain), (before.id, before.domain));
    assert_eq!(
        store.list_audit(100, 0).await.expect("audit").len(),
        audits + 1
    );
});
