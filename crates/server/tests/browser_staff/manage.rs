//! Staff pages in the browser: manage (added with the area).
