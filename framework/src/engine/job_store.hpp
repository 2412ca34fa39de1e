// The job directory's database (job.db): the frontier (queued and in-flight requests), the
// seen-set's fingerprints and the stats, in one SQLite file so one transaction covers them all.
// Without a job directory the same class, in a temporary file, holds only the frontier's spill.
//
// Rows of `requests` are queued or in flight; a request's row is deleted when its outcome is
// final (after the sinks acknowledged its items). On open, every row is queued again: the ones
// in flight when the process died are fetched again.
//
// Writes go into an open transaction committed by commit() (the engine's group commit); WAL
// with synchronous=NORMAL: a commit survives the process being killed.
#pragma once

#include <weft/engine/fingerprint.hpp>
#include <weft/engine/frontier.hpp>
#include <weft/engine/seen_set.hpp>
#include <weft/sqlite/database.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace weft::engine
{

class job_store final : public frontier_store
{
public:
    using to_json_fn = std::function<nlohmann::json(weft::request const&)>;
    using from_json_fn = std::function<weft::request(nlohmann::json const&)>;

    /// Opens `path` (persistent: a job directory) or a scratch file for spills (not persistent).
    /// Every method throws weft::system_error (weft::sqlite::error_category()) when SQLite
    /// fails: "cannot <doing> job database '<path>': <cause>".
    /// @throws weft::system_error "cannot open job database '<path>': <cause>".
    job_store(std::filesystem::path path, bool persistent, to_json_fn to_json, from_json_fn from_json);
    ~job_store() override;
    job_store(job_store const&) = delete;
    job_store& operator=(job_store const&) = delete;

    /// Fingerprints recorded by earlier runs, into `seen`.
    void load_seen(memory_seen_set& seen);
    /// Requests left by earlier runs (queued or in flight), up to `memory_limit` of them; the rest
    /// are marked spilled.
    std::vector<frontier_entry> load_pending(std::size_t memory_limit);
    /// Stats saved by the last run (null when none).
    nlohmann::json load_stats();
    void save_stats(nlohmann::json const& j);
    /// A value of the meta table (null when absent), and its setter.
    nlohmann::json get_meta(std::string const& key);
    void set_meta(std::string const& key, nlohmann::json const& value);

    /// A newly scheduled request: its row id.
    std::int64_t add(weft::request const& req, fingerprint fp, std::string const& host);
    /// A fingerprint seen (also for requests that were then dropped, so resume drops them too).
    void add_seen(fingerprint fp);
    /// The request's outcome is final.
    void remove(std::int64_t id);
    /// Rewrites the stored request of row `id` (after a retry changed its attempts or priority);
    /// its host, fingerprint and spilled state stay. No row (id <= 0, or removed): nothing.
    void update(std::int64_t id, weft::request const& req);
    /// Commits the open transaction and opens the next.
    void commit();

    void spill(frontier_entry const& e) override;
    std::vector<frontier_entry> unspill(std::size_t n) override;
    std::vector<frontier_entry> unspill_host(std::string const& host, std::size_t n) override;
    std::map<std::string, std::size_t> spilled_hosts() const override;
    std::size_t spilled() const override { return spilled_; }
    std::optional<int> top_spilled_priority() const override;

    std::filesystem::path const& path() const noexcept { return path_; }

private:
    // Removes the scratch file once the database is closed (declared before db_).
    struct scratch_file
    {
        std::filesystem::path path;
        ~scratch_file();
    };

    std::vector<frontier_entry> take_spilled(sqlite::statement& select);
    frontier_entry entry_of(sqlite::statement const& row) const;

    std::filesystem::path path_;
    bool persistent_;
    to_json_fn to_json_;
    from_json_fn from_json_;
    scratch_file scratch_;
    sqlite::database db_;
    sqlite::statement insert_;
    sqlite::statement insert_seen_;
    sqlite::statement delete_;
    sqlite::statement update_;
    sqlite::statement spill_id_;
    sqlite::statement unspill_;
    sqlite::statement unspill_host_;
    sqlite::statement unspill_id_;
    mutable sqlite::statement spilled_hosts_;
    mutable sqlite::statement top_spilled_;
    std::size_t spilled_ = 0;
};

} // namespace weft::engine
