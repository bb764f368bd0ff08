//! Agencies: the public bodies that speak on an instance.

use crate::Invalid;
use std::fmt;

/// A Norwegian organisation number: nine digits whose last is a modulus-11
/// check digit, as the Brønnøysund Register Centre assigns them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrgNumber(String);

impl OrgNumber {
    /// Parses nine digits (spaces allowed, as in "974 760 673") and checks the
    /// check digit, which catches most typing errors.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 9 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(Invalid::new(format!(
                "{s:?} is not an organisation number (nine digits)"
            )));
        }
        const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
        let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
        let sum: u32 = WEIGHTS.iter().zip(&d).map(|(w, x)| w * x).sum();
        let check = match 11 - sum % 11 {
            11 => 0,
            10 => {
                return Err(Invalid::new(format!(
                    "{s:?} is not a valid organisation number"
                )));
            }
            c => c,
        };
        if d[8] != check {
            return Err(Invalid::new(format!(
                "{s:?} is not a valid organisation number (check digit mismatch)"
            )));
        }
        Ok(Self(digits))
    }

    /// The nine digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_org_numbers_pass() {
        // Brønnøysundregistrene, Oslo kommune, Digdir
        for n in ["974760673", "958 935 420", "991825827"] {
            assert!(OrgNumber::parse(n).is_ok(), "{n}");
        }
    }

    #[test]
    fn typos_fail() {
        for n in ["974760674", "97476067", "9747606731", "abcdefghi", ""] {
            assert!(OrgNumber::parse(n).is_err(), "{n}");
        }
    }
}
