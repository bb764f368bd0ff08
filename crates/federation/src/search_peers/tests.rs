use super::*;

#[test]
fn agencies_are_named_as_the_peer_names_them() {
    assert_eq!(
        agency_there("oslo", "a.example", "d.example"),
        "oslo@a.example"
    );
    assert_eq!(
        agency_there("@bodo@D.example", "a.example", "d.example"),
        "bodo"
    );
    assert_eq!(
        agency_there("x@e.example", "a.example", "d.example"),
        "x@e.example"
    );
}

#[test]
fn statuses_are_named() {
    assert_eq!(PeerStatus::Ok.as_str(), "ok");
    assert_eq!(PeerStatus::Timeout.as_str(), "timeout");
    assert_eq!(PeerStatus::Error.as_str(), "error");
}
