//! Staff pages in the browser: items (added with the area).
