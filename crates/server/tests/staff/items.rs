//! Staff pages: items (tests added with the area).
