//! Staff pages: admin (tests added with the area).
