# Every third-party dependency, found once. scripts/setup.sh installs them from Debian.
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS url)
find_package(OpenSSL REQUIRED)
find_package(CURL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(GUMBO REQUIRED IMPORTED_TARGET gumbo)
pkg_check_modules(PSL REQUIRED IMPORTED_TARGET libpsl)
# RE2 (re()/re_first() on selector strings) stays private to libweft: no RE2 type in a public
# header, so weftConfig.cmake needs no find_dependency for it.
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
# re2.pc's Cflags carry -pthread: compiled into weft_framework's precompiled header, it makes the
# PCH unusable for the plugins that share it ("POSIX thread support was enabled in PCH file").
# Threads::Threads links the thread library already; the flag only defines _REENTRANT.
set_property(TARGET PkgConfig::RE2 PROPERTY INTERFACE_COMPILE_OPTIONS "")
if(WEFT_BUILD_TESTS)
  find_package(Catch2 2 REQUIRED)
  include(Catch)
endif()
