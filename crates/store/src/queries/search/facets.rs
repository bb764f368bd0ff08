//! What the ranked matches count into facets, and the matches this server
//! does not show (hosts its policy suspends or silences).

use super::{Candidate, Facets};
use crate::{Store, StoreError, entities::item_tag, queries::policy::Verdict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::{BTreeMap, HashMap};

impl Store {
    /// Drops items of hosts whose content this server does not show:
    /// suspended or silenced (or not allowed, in allow-list mode). Their
    /// items may have been stored before the policy was set.
    pub(super) async fn without_refused_hosts(
        &self,
        candidates: Vec<Candidate>,
    ) -> Result<Vec<Candidate>, StoreError> {
        let mut hidden: HashMap<String, bool> = HashMap::new();
        for c in &candidates {
            if let Some(domain) = &c.remote_domain
                && !hidden.contains_key(domain)
            {
                let verdict = self.get_host_verdict(domain).await?;
                hidden.insert(
                    domain.clone(),
                    matches!(verdict, Verdict::Refused | Verdict::Silenced),
                );
            }
        }
        Ok(candidates
            .into_iter()
            .filter(|c| {
                c.remote_domain
                    .as_ref()
                    .is_none_or(|d| !hidden.get(d).copied().unwrap_or(false))
            })
            .collect())
    }

    pub(super) async fn facets(
        &self,
        candidates: &[Candidate],
        local: &str,
    ) -> Result<Facets, StoreError> {
        let mut f = Facets::default();
        let bump =
            |m: &mut BTreeMap<String, u64>, k: &str| *m.entry(k.to_owned()).or_default() += 1;
        for c in candidates {
            bump(&mut f.kind, &c.kind);
            bump(&mut f.language, &c.language);
            if let Some(l) = &c.license {
                bump(&mut f.license, l);
            }
            match (&c.agency_slug, &c.remote_domain) {
                (Some(slug), _) => {
                    bump(&mut f.agency, slug);
                    bump(&mut f.instance, local);
                }
                (None, Some(domain)) => {
                    let who = match &c.remote_user {
                        Some(user) => format!("{user}@{domain}"),
                        None => c.remote_ap_id.clone().unwrap_or_default(),
                    };
                    bump(&mut f.agency, &who);
                    bump(&mut f.instance, domain);
                }
                (None, None) => {}
            }
            for theme in c.themes.split_whitespace() {
                bump(&mut f.theme, theme);
            }
        }
        let ids: Vec<i64> = candidates.iter().map(|c| c.id).collect();
        for chunk in ids.chunks(500) {
            for t in item_tag::Entity::find()
                .filter(item_tag::Column::ItemId.is_in(chunk.iter().copied()))
                .all(self.reader())
                .await?
            {
                bump(&mut f.tag, &t.tag);
            }
        }
        Ok(f)
    }
}
