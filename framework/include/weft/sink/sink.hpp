// weft::sink: where items go (a JSON lines file, CSV, SQLite, stdout); the step 7-8 boundary of
// the crawl data path.
//
// A template front end (async_open / async_write / async_flush / async_close, any completion
// token, `asio::deferred` by default) over a virtual back end taking an
// `asio::any_completion_handler` (docs/ARCHITECTURE.md, "Virtual boundaries"). Plugins implement the
// `*_impl` functions and register a factory by file extension or URI scheme (weft/sink/registry.hpp).
//
// Durability: async_write only buffers (and may hand a full buffer to the OS); an item is
// durable, and may be acknowledged, only once an async_flush started after its write
// completes without error. async_close flushes first.
//
// Blocking: serialization runs on the caller's executor (CPU only); every system call that may
// block (open, write, fsync, SQLite commit) runs on weft's blocking pool (`sink::blocking_pool`,
// 2 threads) and the operation completes on the handler's associated executor. A write that
// fills the buffer (`sink_options::buffer_bytes`) waits for the OS write: backpressure.
//
// @par Errors
// Operations complete with an error_code (errno values in the system category, SQLite's in an
// "sqlite" category); `diagnostics()` then holds a sentence naming what failed, the path and
// what to do ("cannot open 'out/x.jsonl' for writing: No such file or directory; create the
// directory 'out' or choose another -o path"). After an error the sink is unusable but for
// async_close.
//
// @par Lifetimes and concurrency
// The sink must outlive its operations. One operation at a time: start the next only after the
// previous completed (like Beast streams). Operations are not cancellable; each completes
// promptly on its own.
//
// @par Security
// Output paths come only from the user (command line, settings), never from page content.
#pragma once

#include <weft/async/task.hpp>
#include <weft/error.hpp>
#include <weft/spider/item.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace weft
{

/// How a sink opens its target.
struct sink_options
{
    enum class open_mode
    {
        truncate, ///< start an empty output (the SQLite sink drops and recreates table `items`)
        append,   ///< keep what is there and add to it (a resumed crawl)
    };
    open_mode mode = open_mode::truncate;
    /// Bytes (or, for SQLite, serialized item bytes) buffered before they are handed to the OS.
    std::size_t buffer_bytes = 256 * 1024;
};

/// An output of items. See the file comment for durability, blocking and errors.
class sink
{
public:
    using signature = void(error_code);

    virtual ~sink() = default;
    sink(sink const&) = delete;
    sink& operator=(sink const&) = delete;

    /// "jsonl", "json", "csv", "jsonl.gz", "csv.gz", "sqlite".
    virtual std::string_view format() const noexcept = 0;
    /// True when the output is a file that, cut back to a size it had right after a successful
    /// async_flush (or async_close), is a valid output holding exactly the items flushed until
    /// then, and that a sink opened in append mode goes on from. With a job directory (and in
    /// `weft export`), such outputs get every item exactly once across crashes; the others at
    /// least once. Never true for stdout.
    virtual bool resizable() const noexcept { return false; }
    /// The output path as given ("-" for stdout).
    std::string const& path() const noexcept { return path_; }
    executor get_executor() const { return executor_; }
    sink_options const& options() const noexcept { return options_; }
    /// The last failure in words: what, where, what to do. Empty when nothing failed.
    std::string const& diagnostics() const noexcept { return diagnostics_; }
    /// Items written so far (buffered or not).
    std::size_t items_written() const noexcept { return items_written_; }

    /// Opens (creates, truncates or appends to) the output.
    template <asio::completion_token_for<signature> Token = asio::deferred_t>
    auto async_open(Token&& token = {})
    {
        return asio::async_initiate<Token, signature>(
            [this](asio::any_completion_handler<signature> h) { async_open_impl(std::move(h)); }, token);
    }

    /// Buffers `items` (not yet durable). May wait for the OS when the buffer is full.
    template <asio::completion_token_for<signature> Token = asio::deferred_t>
    auto async_write(std::vector<item> items, Token&& token = {})
    {
        return asio::async_initiate<Token, signature>(
            [this](asio::any_completion_handler<signature> h, std::vector<item> batch)
            {
                items_written_ += batch.size();
                async_write_impl(std::move(batch), std::move(h));
            },
            token, std::move(items));
    }

    /// Makes every item written before it durable (fsync, or an SQLite commit in WAL mode with
    /// synchronous=FULL). Completing without error is the acknowledgement of those items.
    template <asio::completion_token_for<signature> Token = asio::deferred_t>
    auto async_flush(Token&& token = {})
    {
        return asio::async_initiate<Token, signature>(
            [this](asio::any_completion_handler<signature> h) { async_flush_impl(std::move(h)); }, token);
    }

    /// Flushes, then closes the output (finishing touches such as a CSV header rewrite happen
    /// here). Closing a sink that never opened or already closed succeeds.
    template <asio::completion_token_for<signature> Token = asio::deferred_t>
    auto async_close(Token&& token = {})
    {
        return asio::async_initiate<Token, signature>(
            [this](asio::any_completion_handler<signature> h) { async_close_impl(std::move(h)); }, token);
    }

    /// Exactly once with a job directory, for a sink that cannot be cut back to a file size but can
    /// undo a batch (a database): called before each group commit, it returns a mark the job
    /// records until the batch's completions are final (state::output_journal); the sink tags the
    /// items it writes until the next mark with it. Null (the default): the sink does not take part.
    virtual nlohmann::json batch_mark() { return nullptr; }
    /// The last run died during the batch of `mark`: the sink removes that batch's items when it
    /// opens (its requests are fetched again). Called before async_open.
    virtual void undo_batch(nlohmann::json mark) { (void)mark; }

    /// Resumable exports (`weft export`) into a sink that commits atomically (a database): true
    /// when the sink keeps the export's progress itself, committed by async_flush in the same
    /// transaction as the items. False (the default): the export keeps it in a sidecar file.
    virtual bool keeps_progress() const noexcept { return false; }
    /// The progress (a JSON object) the next async_flush commits with its items.
    virtual void set_progress(nlohmann::json progress) { (void)progress; }
    /// After async_open: the progress last committed (null when none).
    virtual nlohmann::json saved_progress() const { return nullptr; }

    /// The pool every sink runs its blocking system calls on (2 threads, process-wide).
    static asio::thread_pool& blocking_pool();

protected:
    sink(executor ex, std::string path, sink_options options)
        : executor_(std::move(ex)), path_(std::move(path)), options_(options)
    {
    }

    virtual void async_open_impl(asio::any_completion_handler<signature> handler) = 0;
    virtual void async_write_impl(std::vector<item> items, asio::any_completion_handler<signature> handler) = 0;
    virtual void async_flush_impl(asio::any_completion_handler<signature> handler) = 0;
    virtual void async_close_impl(asio::any_completion_handler<signature> handler) = 0;

    /// Runs `work` on the blocking pool, then completes `handler` with its error on the handler's
    /// executor (the sink's when it has none). `work` may set diagnostics.
    void offload(std::function<error_code()> work, asio::any_completion_handler<signature> handler);
    /// Completes `handler` with `ec` soon, never inline.
    void complete(asio::any_completion_handler<signature> handler, error_code ec = {});
    void set_diagnostics(std::string message) { diagnostics_ = std::move(message); }

private:
    executor executor_;
    std::string path_;
    sink_options options_;
    std::string diagnostics_;
    std::size_t items_written_ = 0;
};

} // namespace weft
