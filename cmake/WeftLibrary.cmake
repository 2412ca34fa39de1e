# weft as a library for programs and plugins built outside this tree (find_package(weft)):
#
#   weft::weft      libweft.so: the framework with every built-in fetcher, sink, state backend
#                   and spider, so `target_link_libraries(app PRIVATE weft::weft)` is all a
#                   program needs (weft::http::client, weft::engine, sinks by extension...).
#   weft::chromium  the browser API (<weft/chromium/*.hpp>: browser, page, page pool) on top of it.
#
# The executables of this tree link the static framework instead; libweft.so is what
# cmake/WeftInstall.cmake installs and exports. Its objects are the ones the static framework
# is built from (CMAKE_POSITION_INDEPENDENT_CODE is on), so it costs one link, no compiling.
set(anchor "${PROJECT_BINARY_DIR}/framework/library_anchor.cpp")
file(CONFIGURE OUTPUT "${anchor}" CONTENT "// libweft.so's own source (cmake/WeftLibrary.cmake): its code is the framework's objects.
extern \"C\" char const weft_library_name[] = \"weft\";
")
add_library(weft_library SHARED "${anchor}")
add_library(weft::weft ALIAS weft_library)
set_target_properties(weft_library PROPERTIES OUTPUT_NAME weft EXPORT_NAME weft
                                              VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
# Every object of the framework: self-registering parts (sinks, fetchers by name) are reached by
# no symbol, and plugins loaded by a program using the library need the whole framework.
# (Link options, as weft_enable_plugin_host does: the built-in plugins link weft_framework
# plainly, and CMake refuses one library with and without $<LINK_LIBRARY:WHOLE_ARCHIVE>.)
target_link_options(weft_library PRIVATE
  "SHELL:-Wl,--whole-archive $<TARGET_FILE:weft_framework> -Wl,--no-whole-archive")
target_link_libraries(weft_library PRIVATE weft_framework)
get_property(weft_builtin_plugins GLOBAL PROPERTY WEFT_PLUGINS)
target_link_libraries(weft_library PRIVATE ${weft_builtin_plugins})
# What a program compiling against weft's headers needs: the same as weft::plugin (headers, ABI
# definitions, C++20) plus the compiled libraries weft's headers call into inline.
target_link_libraries(weft_library PUBLIC weft_plugin_api Boost::url OpenSSL::SSL OpenSSL::Crypto Threads::Threads)

add_library(weft_chromium_api INTERFACE)
add_library(weft::chromium ALIAS weft_chromium_api)
set_target_properties(weft_chromium_api PROPERTIES EXPORT_NAME chromium)
target_include_directories(weft_chromium_api INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/plugins/fetch_chromium/include> $<INSTALL_INTERFACE:include>)
target_link_libraries(weft_chromium_api INTERFACE weft_library)
