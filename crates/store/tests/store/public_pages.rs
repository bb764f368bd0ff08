//! What the public pages read besides the API's queries.

use deling_store::queries::remote_actor::RemoteActorData;

fn actor(name: &str, icon: Option<&str>) -> RemoteActorData {
    RemoteActorData {
        ap_id: format!("https://social.example/users/{name}"),
        actor_type: "Person".into(),
        domain: "social.example".into(),
        preferred_username: Some(name.into()),
        name: None,
        inbox: format!("https://social.example/users/{name}/inbox"),
        shared_inbox: None,
        url: None,
        icon_url: icon.map(str::to_owned),
        summary_html: None,
        public_key_pem: None,
        followers: None,
        speaks_deling: false,
    }
}

both!(actor_icons_are_read_by_id, |store| {
    store
        .put_remote_actor(actor("eve", Some("https://social.example/eve.png")))
        .await
        .unwrap();
    store.put_remote_actor(actor("ola", None)).await.unwrap();
    let icons = store
        .list_actor_icons(&[
            "https://social.example/users/eve".into(),
            "https://social.example/users/ola".into(),
            "https://social.example/users/nobody".into(),
        ])
        .await
        .unwrap();
    assert_eq!(icons.len(), 1, "{icons:?}");
    assert_eq!(
        icons["https://social.example/users/eve"],
        "https://social.example/eve.png"
    );
    assert!(store.list_actor_icons(&[]).await.unwrap().is_empty());
});
