//! FAT32 disk images (placeholder until the image writer lands).
