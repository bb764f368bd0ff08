//! The audit log, written with the change it records.

use crate::support::{agency, staff};
use chrono::Duration;
use deling_domain::{
    agency::{AgencyProfile, RawAgencyProfile},
    auth::Role,
};
use deling_store::{StoreError, queries::agency::stored_profile};
use serde_json::json;

both!(audits_go_with_their_change, |store| {
    use deling_store::queries::audit::Audit;
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let kari = staff(&store, "kari").await;
    let entries = async || store.list_audit(100, 0).await.expect("audit");
    let audit = |action: &str| Audit::new(Some(kari.id), "kari", action, "oslo");
    let profile = AgencyProfile::parse(
        RawAgencyProfile {
            name: Some("Oslo kommune, PBE".into()),
            ..Default::default()
        }
        .over(stored_profile(&oslo)),
    )
    .expect("valid");

    // Refused changes leave no entry.
    let stale = oslo.updated_at - Duration::seconds(1);
    assert!(matches!(
        store
            .update_agency_profile(oslo.id, &profile, stale, Some(&audit("agency.update")))
            .await,
        Err(StoreError::Conflict(_))
    ));
    store
        .set_member_role(oslo.id, kari.id, Some(Role::Admin), true, None)
        .await
        .expect("grant");
    assert!(matches!(
        store
            .set_member_role(
                oslo.id,
                kari.id,
                None,
                true,
                Some(audit("membership.delete"))
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(entries().await.is_empty());

    // A change and its entry land together; a no-op membership change
    // writes none.
    store
        .update_agency_profile(
            oslo.id,
            &profile,
            oslo.updated_at,
            Some(&audit("agency.update")),
        )
        .await
        .expect("update");
    store
        .set_member_role(
            oslo.id,
            kari.id,
            Some(Role::Admin),
            true,
            Some(audit("membership.put")),
        )
        .await
        .expect("same role");
    assert_eq!(
        store
            .withdraw_agency(oslo.id, Some(audit("agency.withdraw")))
            .await
            .expect("withdraw"),
        0
    );
    let got: Vec<(String, serde_json::Value)> = entries()
        .await
        .into_iter()
        .map(|e| (e.action, e.details))
        .collect();
    assert_eq!(
        got,
        vec![
            ("agency.withdraw".to_owned(), json!({"items_withdrawn": 0})),
            ("agency.update".to_owned(), json!({})),
        ]
    );
});

both!(an_agency_is_created_with_its_audit_entry, |store| {
    use deling_store::queries::audit::Audit;
    let audit = Audit::new(None, "cli", "agency.create", "oslo").with("org_number", "974760673");
    let oslo = store
        .put_agency_audited(
            crate::support::new_agency("oslo", "Oslo kommune"),
            Some(&audit),
        )
        .await
        .expect("agency");
    // Filed under the agency, so its admins read it on its audit page.
    let entries = store
        .list_agency_audit(oslo.id, 10, 0)
        .await
        .expect("audit");
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].action, "agency.create");
    assert_eq!(entries[0].details["org_number"], "974760673");
    // A taken slug writes neither the agency nor an entry.
    let again = store
        .put_agency_audited(crate::support::new_agency("oslo", "Oslo"), Some(&audit))
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(store.list_audit(10, 0).await.expect("audit").len(), 1);
});
