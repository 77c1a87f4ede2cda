// Sorts 64 bytes at a time for DelimitedReader's fast path (Sources/Airlock/Tables/DelimitedReader.swift),
// with SSE2 where the target has it (every x86-64) and a byte loop elsewhere. Bit i of each mask
// stands for byte p[i].
#ifndef AIRLOCK_BYTE_CLASSES_H
#define AIRLOCK_BYTE_CLASSES_H

#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Field ends (the delimiter or a line feed), line feeds, and bytes the fast path leaves to the
/// byte-by-byte reader (a quote, any other control byte, DEL, 128 or more) among 64 bytes.
typedef struct {
  uint64_t ends;
  uint64_t newlines;
  uint64_t others;
} airlock_byte_classes;

/// ``airlock_classify64`` a byte at a time: the portable definition, used where SSE2 is missing
/// and by the tests that hold the SSE2 version to it.
static inline airlock_byte_classes airlock_classify64_bytewise(const uint8_t *p, uint8_t delimiter) {
  airlock_byte_classes classes = {0, 0, 0};
  for (int i = 0; i < 64; i++) {
    const uint8_t b = p[i];
    const uint64_t bit = (uint64_t)1 << i;
    if (b == '\n') {
      classes.newlines |= bit;
      classes.ends |= bit;
    } else if (b == delimiter) {
      classes.ends |= bit;
    } else if (b < 0x20 || b >= 0x7F || b == '"') {
      classes.others |= bit;
    }
  }
  return classes;
}

/// Classifies the 64 bytes at `p` (all readable), `delimiter` being the field separator (an ASCII
/// byte other than the line feed and the quote).
static inline airlock_byte_classes airlock_classify64(const uint8_t *p, uint8_t delimiter) {
#if defined(__SSE2__)
  airlock_byte_classes classes = {0, 0, 0};
  const __m128i delimiters = _mm_set1_epi8((char)delimiter);
  const __m128i lineFeeds = _mm_set1_epi8('\n');
  const __m128i quotes = _mm_set1_epi8('"');
  const __m128i deletes = _mm_set1_epi8(0x7F);
  const __m128i space = _mm_set1_epi8(0x20);
  for (int block = 0; block < 4; block++) {
    const __m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * block));
    const __m128i lf = _mm_cmpeq_epi8(v, lineFeeds);
    const __m128i ends = _mm_or_si128(_mm_cmpeq_epi8(v, delimiters), lf);
    // Signed compare: below 32, or 128 and above (negative as signed bytes).
    const __m128i low = _mm_cmplt_epi8(v, space);
    const __m128i others = _mm_or_si128(
        _mm_andnot_si128(ends, low), _mm_or_si128(_mm_cmpeq_epi8(v, quotes), _mm_cmpeq_epi8(v, deletes)));
    const int shift = 16 * block;
    classes.ends |= (uint64_t)(uint32_t)_mm_movemask_epi8(ends) << shift;
    classes.newlines |= (uint64_t)(uint32_t)_mm_movemask_epi8(lf) << shift;
    classes.others |= (uint64_t)(uint32_t)_mm_movemask_epi8(others) << shift;
  }
  return classes;
#else
  return airlock_classify64_bytewise(p, delimiter);
#endif
}

#endif
