//! API tokens.

use crate::support::staff;
use chrono::{Duration, Utc};
use deling_domain::auth::{NewToken, token_hash};
use deling_store::StoreError;

both!(tokens, |store| {
    let kari = staff(&store, "kari").await;
    let ola = staff(&store, "ola").await;

    let secret = NewToken::generate();
    let token = store
        .put_token(kari.id, secret.hash.clone(), Some("ci".into()), None)
        .await
        .expect("put token");
    assert!(token.id > 0);
    assert_eq!(token.staff_id, kari.id);
    assert_eq!(token.token_hash, secret.hash);
    assert_eq!(token.label.as_deref(), Some("ci"));
    assert_eq!(token.expires_at, None);
    assert_eq!(token.revoked_at, None);
    assert_eq!(token.last_used_at, None);

    // The hash of the secret finds the token and its owner.
    let (found, owner) = store
        .get_token_owner(&token_hash(&secret.secret))
        .await
        .expect("lookup")
        .expect("a valid token has an owner");
    assert_eq!(found.id, token.id);
    assert_eq!(owner, kari);
    // The use is recorded.
    let listed = store.list_tokens(kari.id).await.expect("list");
    assert_eq!(listed.len(), 1);
    let last_used = listed[0].last_used_at.expect("last_used_at recorded");
    assert!(last_used >= token.created_at);
    // A second use within the minute still works.
    assert!(
        store
            .get_token_owner(&secret.hash)
            .await
            .expect("lookup")
            .is_some()
    );

    // Unknown hashes find nothing; nor does the secret itself.
    assert!(
        store
            .get_token_owner(&token_hash("dlg_nope"))
            .await
            .expect("lookup")
            .is_none()
    );
    assert!(
        store
            .get_token_owner(&secret.secret)
            .await
            .expect("lookup")
            .is_none()
    );

    // Expiry.
    let expired = NewToken::generate();
    store
        .put_token(
            kari.id,
            expired.hash.clone(),
            None,
            Some(Utc::now() - Duration::seconds(1)),
        )
        .await
        .expect("put expired");
    assert!(
        store
            .get_token_owner(&expired.hash)
            .await
            .expect("lookup")
            .is_none()
    );
    let later = NewToken::generate();
    let later_row = store
        .put_token(
            kari.id,
            later.hash.clone(),
            None,
            Some(Utc::now() + Duration::hours(1)),
        )
        .await
        .expect("put expiring later");
    assert_eq!(
        store
            .get_token_owner(&later.hash)
            .await
            .expect("lookup")
            .map(|(t, _)| t.id),
        Some(later_row.id)
    );

    // Newest first.
    let listed = store.list_tokens(kari.id).await.expect("list");
    let listed_ids: Vec<i64> = listed.iter().map(|t| t.id).collect();
    let mut sorted = listed_ids.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(listed_ids.len(), 3);
    assert_eq!(listed_ids, sorted);
    assert_eq!(listed_ids[2], token.id);
    assert!(store.list_tokens(ola.id).await.expect("list").is_empty());

    // Revoking.
    let revoked = store.revoke_token(token.id).await.expect("revoke");
    assert_eq!(revoked.id, token.id);
    let revoked_at = revoked.revoked_at.expect("revoked_at set");
    assert!(
        store
            .get_token_owner(&secret.hash)
            .await
            .expect("lookup")
            .is_none()
    );
    // Twice is harmless and keeps the first time.
    let again = store.revoke_token(token.id).await.expect("revoke again");
    assert_eq!(again.revoked_at, Some(revoked_at));
    // The other token is untouched.
    assert!(
        store
            .get_token_owner(&later.hash)
            .await
            .expect("lookup")
            .is_some()
    );
    match store.revoke_token(token.id + 1000).await {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("revoking an unknown token: expected NotFound, got {other:?}"),
    }

    // A disabled account's tokens stop working.
    let ola_token = NewToken::generate();
    store
        .put_token(ola.id, ola_token.hash.clone(), None, None)
        .await
        .expect("put ola's token");
    assert!(
        store
            .get_token_owner(&ola_token.hash)
            .await
            .expect("lookup")
            .is_some()
    );
    store
        .execute_unprepared(&format!(
            "UPDATE staff SET disabled_at = created_at WHERE id = {}",
            ola.id
        ))
        .await
        .expect("disable ola");
    assert!(
        store
            .get_token_owner(&ola_token.hash)
            .await
            .expect("lookup")
            .is_none()
    );

    // A hash is stored once.
    assert!(
        store
            .put_token(ola.id, ola_token.hash.clone(), None, None)
            .await
            .is_err()
    );
});
