#include <weft/engine/seen_set.hpp>

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using weft::engine::fingerprint;
using weft::engine::hash128;

TEST_CASE("memory_seen_set inserts once and finds what it holds", "[engine][seen_set]")
{
    weft::engine::memory_seen_set set;
    CHECK(set.size() == 0);
    CHECK_FALSE(set.contains(hash128("a")));
    CHECK(set.insert(hash128("a")));
    CHECK_FALSE(set.insert(hash128("a")));
    CHECK(set.contains(hash128("a")));
    // Zero is a fingerprint like any other, although it marks empty slots inside.
    CHECK_FALSE(set.contains(fingerprint{}));
    CHECK(set.insert(fingerprint{}));
    CHECK_FALSE(set.insert(fingerprint{}));
    CHECK(set.contains(fingerprint{}));
    CHECK(set.size() == 2);
    for (int i = 0; i < 10000; ++i)
        set.insert(hash128(std::to_string(i)));
    CHECK(set.size() == 10002);
    for (int i = 0; i < 10000; ++i)
        REQUIRE(set.contains(hash128(std::to_string(i))));
    CHECK_FALSE(set.contains(hash128("10001")));
    set.clear();
    CHECK(set.size() == 0);
    CHECK_FALSE(set.contains(hash128("1")));
}

TEST_CASE("memory_seen_set costs at most 40 bytes per URL at 1,000,000 URLs", "[engine][seen_set][.][bench]")
{
    constexpr int n = 1'000'000;
    weft::engine::memory_seen_set set;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i)
        set.insert(weft::engine::make_fingerprint("GET", "https://example.com/item/" + std::to_string(i), ""));
    auto t1 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i)
        REQUIRE(
            set.contains(weft::engine::make_fingerprint("GET", "https://example.com/item/" + std::to_string(i), "")));
    auto t2 = std::chrono::steady_clock::now();
    double per_url = static_cast<double>(set.memory_bytes()) / n;
    std::printf("seen_set: %d URLs, %zu bytes, %.1f bytes/URL; fingerprint+insert %.0f ns/URL, "
                "fingerprint+lookup %.0f ns/URL\n",
                n, set.memory_bytes(), per_url, std::chrono::duration<double, std::nano>(t1 - t0).count() / n,
                std::chrono::duration<double, std::nano>(t2 - t1).count() / n);
    CHECK(set.size() == n);
    CHECK(per_url <= 40.0);

    // The same without canonicalization: the hash and the table alone.
    std::vector<std::string> urls;
    urls.reserve(n);
    for (int i = 0; i < n; ++i)
        urls.push_back("https://example.com/item/" + std::to_string(i));
    weft::engine::memory_seen_set raw;
    auto t3 = std::chrono::steady_clock::now();
    for (auto const& u : urls)
        raw.insert(hash128(u));
    auto t4 = std::chrono::steady_clock::now();
    std::printf("seen_set: hash128+insert %.0f ns/URL\n",
                std::chrono::duration<double, std::nano>(t4 - t3).count() / n);
    CHECK(raw.size() == n);
}

TEST_CASE("memory_seen_set stays within 40 bytes per URL while growing", "[engine][seen_set]")
{
    weft::engine::memory_seen_set set;
    for (int i = 1; i <= 200'000; ++i)
    {
        set.insert(hash128(std::to_string(i)));
        if (i >= 1000 && i % 997 == 0)
            REQUIRE(static_cast<double>(set.memory_bytes()) / i <= 40.0);
    }
}

TEST_CASE("sqlite_seen_set persists fingerprints across reopen", "[engine][seen_set]")
{
    weft::test::temp_dir dir;
    auto path = dir / "seen.db";
    {
        auto set = weft::engine::sqlite_seen_set::open(path, {.batch = 100});
        for (int i = 0; i < 1000; ++i)
            CHECK(set->insert(hash128(std::to_string(i))));
        CHECK_FALSE(set->insert(hash128("5")));
        CHECK(set->insert(fingerprint{}));
        set->flush();
        // Not flushed: committed by the destructor.
        set->insert(hash128("late"));
    }
    auto set = weft::engine::sqlite_seen_set::open(path);
    CHECK(set->size() == 1002);
    CHECK(set->contains(hash128("999")));
    CHECK(set->contains(hash128("late")));
    CHECK(set->contains(fingerprint{}));
    CHECK_FALSE(set->insert(hash128("0")));
    CHECK(set->insert(hash128("new")));
}

TEST_CASE("sqlite_seen_set is durable after flush for another connection", "[engine][seen_set]")
{
    weft::test::temp_dir dir;
    auto path = dir / "seen.db";
    auto writer = weft::engine::sqlite_seen_set::open(path);
    writer->insert(hash128("x"));
    writer->flush();
    auto reader = weft::engine::sqlite_seen_set::open(path);
    CHECK(reader->contains(hash128("x")));
}

TEST_CASE("sqlite_seen_set names the path when it cannot open", "[engine][seen_set]")
{
    weft::test::temp_dir dir;
    try
    {
        weft::engine::sqlite_seen_set::open(dir / "missing" / "seen.db");
        FAIL("open succeeded");
    }
    catch (weft::system_error const& e)
    {
        std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("missing/seen.db"));
        CHECK_THAT(what, Catch::Contains("cannot open"));
    }
}
