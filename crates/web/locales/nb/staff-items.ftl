# staff-items: messages of this part of the staff pages (nb).
