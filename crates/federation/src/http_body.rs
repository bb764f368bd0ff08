//! Reading another server's answer with a bound on its size: WebFinger,
//! NodeInfo and search answers are read through here, so that a peer that
//! sends more than it should costs no more than the cap.

/// Why a body was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Longer than allowed.
    #[error("answer larger than {0} bytes")]
    TooLarge(usize),
    /// The connection failed or timed out.
    #[error("cannot read the answer: {0}")]
    Http(#[from] reqwest::Error),
}

/// Reads at most `cap` bytes of a body, refusing (without reading on) a
/// longer one.
pub async fn read_capped(mut resp: reqwest::Response, cap: usize) -> Result<Vec<u8>, ReadError> {
    if resp
        .content_length()
        .is_some_and(|n| n > u64::try_from(cap).unwrap_or(u64::MAX))
    {
        return Err(ReadError::TooLarge(cap));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > cap {
            return Err(ReadError::TooLarge(cap));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
