// A shared library that is not a weft plugin: no weft_plugin_info, no descriptor section.
extern "C" int weft_test_not_a_plugin()
{
    return 42;
}
