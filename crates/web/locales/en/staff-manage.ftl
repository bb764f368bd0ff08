# staff-manage: messages of this part of the staff pages (en).
