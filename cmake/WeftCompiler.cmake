# weft's default C++ compiler, included before project(): clang 16 when none is given. GCC 12
# miscompiles braced temporaries inside co_await (STYLE.md, trap 2), and clang 14 cannot build
# coroutines with -g under sanitizers ("Cannot represent a difference across sections"). g++ 12
# still builds weft: pass -DCMAKE_CXX_COMPILER=g++. Programs and plugins must then use the
# compiler weft was built with (weftConfig.cmake checks it).
if(NOT DEFINED CMAKE_CXX_COMPILER AND NOT DEFINED ENV{CXX})
  find_program(WEFT_CLANGXX NAMES clang++-16 clang++)
  if(WEFT_CLANGXX)
    set(CMAKE_CXX_COMPILER "${WEFT_CLANGXX}")
  endif()
endif()
