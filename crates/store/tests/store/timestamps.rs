//! Timestamps keep their value through a round trip.

use crate::support::{agency, ids, simple, staff, ts};
use chrono::Utc;
use deling_store::ItemFilter;

both!(timestamps_round_trip, |store| {
    let kari = staff(&store, "kari").await;
    let oslo = agency(&store, "oslo", "Oslo kommune").await;

    // Times the store makes itself are whole microseconds and read back exactly.
    for t in [oslo.created_at, kari.created_at] {
        assert_eq!(
            t.timestamp_subsec_nanos() % 1000,
            0,
            "{t} has sub-microsecond digits"
        );
    }
    assert_eq!(
        store.get_agency(oslo.id).await.expect("get"),
        Some(oslo.clone())
    );
    assert_eq!(
        store.get_staff_by_username("kari").await.expect("get"),
        Some(kari.clone())
    );

    // Given times, with every shape of fraction (none, milli, micro, one
    // microsecond), before 1970 and far ahead, read back exactly.
    let times = [
        "2026-11-28T12:34:56.123456Z",
        "2026-11-28T12:34:56Z",
        "2026-11-28T12:34:56.100Z",
        "2026-11-28T12:34:56.000001Z",
        "2026-11-28T12:34:56.999999Z",
        "1999-12-31T23:59:59.999999Z",
        "1969-07-20T20:17:40Z",
        "2099-01-01T00:00:00.5Z",
        "9999-12-31T23:59:59.999999Z",
    ];
    let mut put = Vec::new();
    for (i, s) in times.iter().enumerate() {
        let t = ts(s);
        let token = store
            .put_token(kari.id, format!("hash-{i}"), Some((*s).to_owned()), Some(t))
            .await
            .expect("put token");
        assert_eq!(token.expires_at, Some(t), "returned by the insert: {s}");
        put.push((token.id, t));
    }
    let listed = store.list_tokens(kari.id).await.expect("list");
    for (id, t) in &put {
        let row = listed.iter().find(|r| r.id == *id).expect("token listed");
        assert_eq!(row.expires_at, Some(*t), "read back: {}", t.to_rfc3339());
    }
    // Expiry compares the stored time: past ones fail, future ones pass.
    for (i, s) in times.iter().enumerate() {
        let valid = store
            .get_token_owner(&format!("hash-{i}"))
            .await
            .expect("lookup")
            .is_some();
        assert_eq!(valid, ts(s) > Utc::now(), "token expiring at {s}");
    }

    // The database orders by time, not by insertion: give items published
    // times out of id order (whole seconds, milli- and microseconds mixed)
    // and list them.
    let mut items = Vec::new();
    for n in 0..5 {
        items.push(
            store
                .put_item(oslo.id, &simple("guide", &format!("t{n}"), "nb", &["time"]))
                .await
                .expect("put item"),
        );
    }
    let given = [
        "2020-05-17T12:00:01Z",
        "2020-05-17T12:00:00Z",
        "2020-05-17T12:00:00.5Z",
        "2020-05-17T12:00:00.123Z",
        "2020-05-17T12:00:00.123001Z",
    ];
    for (item, s) in items.iter().zip(given) {
        let t = ts(s);
        // An RFC 3339 literal both databases read, in the form sqlx writes
        // for SQLite.
        store
            .execute_unprepared(&format!(
                "UPDATE item SET published_at = '{}' WHERE id = {}",
                t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
                item.id
            ))
            .await
            .expect("set published_at");
        let read = store.get_item(item.id).await.expect("get").expect("exists");
        assert_eq!(read.published_at, t, "published_at read back for {s}");
    }
    let newest = store
        .put_item(oslo.id, &simple("guide", "now", "nb", &["time"]))
        .await
        .expect("put newest");
    let page = store
        .list_items(
            &ItemFilter {
                tag: Some("time".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .expect("list");
    assert_eq!(
        ids(&page.items),
        vec![
            newest.id,
            items[0].id,
            items[2].id,
            items[4].id,
            items[3].id,
            items[1].id
        ],
        "newest first by published_at"
    );
});
