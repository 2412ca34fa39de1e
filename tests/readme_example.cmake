# ctest readme_example: README.md's "Using the library" program is examples/00_readme.cpp word
# for word, so the example users copy is the one CI compiles against an installed weft.
#   cmake -DREADME=... -DEXAMPLE=... -P readme_example.cmake
file(READ "${README}" readme)
file(READ "${EXAMPLE}" example)
string(FIND "${readme}" "## Using the library" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${README} has no '## Using the library' section")
endif()
string(SUBSTRING "${readme}" ${at} -1 section)
string(FIND "${section}" "```cpp\n" open)
string(SUBSTRING "${section}" ${open} -1 section)
string(LENGTH "```cpp\n" skip)
string(SUBSTRING "${section}" ${skip} -1 section)
string(FIND "${section}" "```" close)
string(SUBSTRING "${section}" 0 ${close} code)
string(FIND "${example}" "${code}" found)
if(found EQUAL -1)
  message(FATAL_ERROR "The program of README.md's 'Using the library' differs from ${EXAMPLE}: "
                      "copy the README's code block into the example (after its header comment)")
endif()
