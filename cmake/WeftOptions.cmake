# Build options, compiler flags and build-speed settings shared by every weft target.
option(WEFT_BUILD_TESTS "Build the Catch2 test suite" ON)
option(WEFT_BUILD_EXAMPLES "Build the programs of examples/" ON)
option(WEFT_BUILD_BENCH "Build the benchmark programs of bench/" ON)
option(WEFT_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(WEFT_FUZZ "Build the libFuzzer targets (clang only)" OFF)
option(WEFT_PCH "Precompile the Asio/Beast headers" ON)
option(WEFT_LIBRARY "Build libweft.so (weft::weft, weft::chromium) for programs outside this tree" ON)

set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()

# ccache when present; the sloppiness settings let it cache translation units built with a PCH.
find_program(WEFT_CCACHE ccache)
if(WEFT_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      ${WEFT_CCACHE})
endif()

# lld links the large test binaries several times faster than ld.bfd.
find_program(WEFT_LLD NAMES ld.lld-16 ld.lld)
if(WEFT_LLD AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  add_link_options(-fuse-ld=lld)
endif()

add_compile_options(-Wall -Wextra -Wno-unused-parameter)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # Keeps PCH files reproducible so ccache can hit on them.
  add_compile_options(-Xclang -fno-pch-timestamp)
endif()

if(WEFT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # vptr checks need RTTI of every Boost/curl type crossing a boundary; they report false
    # positives on types erased across translation units with hidden visibility.
    add_compile_options(-fno-sanitize=vptr)
  endif()
endif()

if(WEFT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "WEFT_FUZZ needs clang (libFuzzer); configure with CXX=clang++-16")
  endif()
  # Coverage feedback from the framework's own code, not just the fuzz targets' files.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
