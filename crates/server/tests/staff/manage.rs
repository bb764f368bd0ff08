//! Staff pages: manage (tests added with the area).
