// weft::test::under_sanitizer: whether this test binary is built with AddressSanitizer (10-20x
// slower, and freed memory stays resident in its quarantine), for the few tests whose input is
// sized for a plain build or that measure memory.
#pragma once

namespace weft::test
{

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WEFT_TEST_UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(WEFT_TEST_UNDER_ASAN)
#define WEFT_TEST_UNDER_ASAN 1
#endif

#ifdef WEFT_TEST_UNDER_ASAN
inline constexpr bool under_sanitizer = true;
#else
inline constexpr bool under_sanitizer = false;
#endif

} // namespace weft::test
