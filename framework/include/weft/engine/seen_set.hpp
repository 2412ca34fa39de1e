// weft::engine::seen_set: the set of request fingerprints already scheduled (de-duplication).
//
// Two implementations share the interface:
//   - `memory_seen_set`: an open-addressing table of 16-byte fingerprints (linear probing, load
//     factor at most 0.8, grows by 1.5x). It costs 20-30 bytes per fingerprint (16 / load),
//     about 27 at 1,000,000 (see tests/unit/engine/seen_set_test.cpp); while growing, the old
//     and new tables coexist for a moment (2.5x).
//   - `sqlite_seen_set`: the same table in memory, plus every fingerprint written to an SQLite
//     database (a job directory's `seen.db`) so a stopped crawl resumes with its seen-set. Inserts
//     go into an open transaction committed every `batch` inserts and on flush().
//
// Calls are synchronous and fast (no I/O except sqlite_seen_set's batched commits, each one
// WAL append without fsync), so the local crawl states call them on the event loop; a remote
// state keeps its seen-set behind the asynchronous weft/state/crawl_state.hpp.
//
// @par Thread Safety
// Distinct objects: safe. Shared objects: unsafe (one scheduler owns one seen-set).
#pragma once

#include <weft/engine/fingerprint.hpp>
#include <weft/error.hpp>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <vector>

namespace weft::engine
{

/// A set of fingerprints. insert() tells the scheduler whether a request is new.
class seen_set
{
public:
    virtual ~seen_set() = default;

    /// Adds `fp`; true when it was not in the set (the request is new).
    virtual bool insert(fingerprint fp) = 0;
    /// True when `fp` is in the set.
    virtual bool contains(fingerprint fp) const = 0;
    /// How many fingerprints the set holds.
    virtual std::size_t size() const noexcept = 0;
    /// Heap bytes the set holds in memory.
    virtual std::size_t memory_bytes() const noexcept = 0;
    /// Makes every insert so far durable (nothing to do in memory).
    /// @throws weft::system_error naming the database and the cause when a write fails.
    virtual void flush() {}
};

/// The in-memory seen-set: an open-addressing table of 128-bit fingerprints.
class memory_seen_set final : public seen_set
{
public:
    /// Reserves room for `expected` fingerprints (no growth below that).
    explicit memory_seen_set(std::size_t expected = 0);

    bool insert(fingerprint fp) override;
    bool contains(fingerprint fp) const override;
    std::size_t size() const noexcept override { return size_ + (has_zero_ ? 1 : 0); }
    std::size_t memory_bytes() const noexcept override { return slots_.capacity() * sizeof(fingerprint); }

    /// Grows the table so that `n` fingerprints fit without further growth.
    void reserve(std::size_t n);
    /// Removes every fingerprint and frees the table.
    void clear() noexcept;

private:
    std::size_t slot_of(fingerprint fp) const noexcept;
    void rehash(std::size_t capacity);

    std::vector<fingerprint> slots_; // the all-zero fingerprint marks an empty slot
    std::size_t size_ = 0;           // occupied slots
    bool has_zero_ = false;          // the zero fingerprint itself, kept outside the table
};

/// A seen-set persisted in an SQLite database, for `--job-dir` resume.
class sqlite_seen_set final : public seen_set
{
public:
    struct options
    {
        std::size_t batch = 4096; ///< inserts per transaction before an automatic commit
    };

    /// Opens (creating if needed) the database at `path` and loads its fingerprints into memory.
    /// The database uses WAL with synchronous=NORMAL: a commit survives the process dying;
    /// the last commits may be lost on power failure (the crawl then repeats those requests).
    /// @throws weft::system_error "cannot open seen-set database '<path>': <cause>".
    static std::unique_ptr<sqlite_seen_set> open(std::filesystem::path const& path, options opts);
    static std::unique_ptr<sqlite_seen_set> open(std::filesystem::path const& path) { return open(path, options{}); }

    ~sqlite_seen_set() override; // commits what is pending (errors are swallowed: call flush())
    sqlite_seen_set(sqlite_seen_set const&) = delete;
    sqlite_seen_set& operator=(sqlite_seen_set const&) = delete;

    /// @throws weft::system_error when an automatic commit fails.
    bool insert(fingerprint fp) override;
    bool contains(fingerprint fp) const override { return memory_.contains(fp); }
    std::size_t size() const noexcept override { return memory_.size(); }
    std::size_t memory_bytes() const noexcept override { return memory_.memory_bytes(); }
    void flush() override;

    std::filesystem::path const& path() const noexcept { return path_; }

private:
    struct db;
    sqlite_seen_set(std::filesystem::path path, options opts);

    std::filesystem::path path_;
    options opts_;
    memory_seen_set memory_;
    std::unique_ptr<db> db_;
    std::size_t pending_ = 0;
};

} // namespace weft::engine
