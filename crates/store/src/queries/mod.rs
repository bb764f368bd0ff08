//! Queries, one module per subject, all as methods on [`crate::Store`].

pub mod agency;
pub mod agency_block;
pub mod audit;
mod claim;
pub mod comment;
pub mod delivery;
pub mod delivery_batch;
pub mod follow;
pub mod follower_cap;
pub mod host;
pub mod inbox;
pub mod instance;
pub mod item;
pub mod login;
pub mod manage_dashboard;
pub mod message;
pub mod moving;
pub mod oidc_login;
pub mod outbox;
pub(crate) mod params;
pub mod peers;
pub mod policy;
pub mod private_object;
pub mod reaction;
pub mod received_object;
pub mod remote_actor;
pub mod remote_item;
pub mod report;
pub mod search;
pub mod session;
pub mod share;
pub mod staff;
pub mod token;
pub mod tombstone;

/// The rows before page `page` (from 1) of `per_page`: never past what an
/// SQL `OFFSET` holds (a signed 64-bit number; the drivers panic on a
/// larger one), however large a page number a client asks for. Such a
/// page is simply empty.
pub(crate) fn page_offset(page: u64, per_page: u64) -> u64 {
    page.saturating_sub(1)
        .saturating_mul(per_page)
        .min(i64::MAX as u64)
}

#[cfg(test)]
mod tests {
    #[test]
    fn page_offsets_stay_within_what_sql_holds() {
        assert_eq!(super::page_offset(0, 20), 0);
        assert_eq!(super::page_offset(1, 20), 0);
        assert_eq!(super::page_offset(3, 20), 40);
        assert_eq!(super::page_offset(u64::MAX, 20), i64::MAX as u64);
    }
}
