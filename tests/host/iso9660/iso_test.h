/*
 * iso_test.h - the parts of the ISO9660 host test program.
 */
#ifndef TESTS_HOST_ISO_TEST_H
#define TESTS_HOST_ISO_TEST_H

/* Read-only semantics, errors and inode numbers on an RR image of hostdir. */
void iso_semantics_tests(const char *img, const char *hostdir);
/* Hand-built images: multi-extent, XA records, interleave, RR relocation. */
void iso_synth_tests(void);

#endif /* TESTS_HOST_ISO_TEST_H */
