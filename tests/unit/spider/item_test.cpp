#include <weft/spider/item.hpp>

#include <catch2/catch.hpp>

namespace shop
{

struct book
{
    std::string title;
    double price = 0;
    std::vector<std::string> tags;
};
void to_json(nlohmann::json& j, book const& b)
{
    j = nlohmann::json{{"title", b.title}, {"price", b.price}, {"tags", b.tags}};
}

struct ordered_book
{
    std::string zeta;
    std::string alpha;
};
// A to_json for ordered_json keeps the order it writes; one for nlohmann::json sorts the keys.
void to_json(nlohmann::ordered_json& j, ordered_book const& b)
{
    j["zeta"] = b.zeta;
    j["alpha"] = b.alpha;
}

} // namespace shop

TEST_CASE("item sets, gets and keeps insertion order", "[spider][item]")
{
    weft::item item;
    CHECK(item.empty());
    item.set("zeta", "last letter").set("alpha", 1).set("nested", nlohmann::json{{"a", {1, 2}}});
    item.set("zeta", "replaced in place");
    CHECK(item.size() == 3);
    CHECK(item.get<std::string>("zeta") == "replaced in place");
    CHECK(item.get<int>("alpha") == 1);
    CHECK(item.get("nested")["a"][1] == 2);
    CHECK(item.contains("alpha"));
    CHECK_FALSE(item.contains("beta"));
    CHECK(item.find("beta") == nullptr);
    CHECK_THROWS_AS(item.get("beta"), std::out_of_range);
    CHECK(item.dump() == R"({"zeta":"replaced in place","alpha":1,"nested":{"a":[1,2]}})");
    CHECK(item.erase("alpha"));
    CHECK_FALSE(item.erase("alpha"));
}

TEST_CASE("item converts user structs through their to_json", "[spider][item]")
{
    shop::book b{"Dune", 9.5, {"sf"}};
    weft::item from_json_fn{b};
    CHECK(from_json_fn.get<std::string>("title") == "Dune");
    CHECK(from_json_fn.get<double>("price") == 9.5);

    shop::ordered_book o{"z", "a"};
    weft::item from_macro{o};
    CHECK(from_macro.value().begin().key() == "zeta");    // written order kept
    CHECK(from_json_fn.value().begin().key() == "price"); // nlohmann::json sorted them

    weft::item from_value{weft::item::json{{"k", "v"}}};
    CHECK(from_value.get<std::string>("k") == "v");
    CHECK_THROWS_AS(weft::item{weft::item::json::array()}, std::invalid_argument);
    CHECK_THROWS_AS(weft::item{std::string("not an object")}, std::invalid_argument);
}

TEST_CASE("item dumps invalid UTF-8 as replacement characters", "[spider][item]")
{
    weft::item item;
    item.set("text", std::string("caf\xC3\xA9 \xFF"));
    CHECK(item.dump() == "{\"text\":\"caf\xC3\xA9 \xEF\xBF\xBD\"}");
}
