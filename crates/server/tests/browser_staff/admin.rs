//! Staff pages in the browser: admin (added with the area).
