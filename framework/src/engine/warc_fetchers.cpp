#include "engine/warc_fetchers.hpp"

#include <weft/version.hpp>
#include <weft/warc/http_exchange.hpp>
#include <weft/warc/reader.hpp>
#include <weft/warc/writer.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/post.hpp>

#include <fmt/format.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace weft::engine::detail
{

namespace
{

using log_fn = std::function<void(std::string const&)>;

// Passes a streamed body on to the caller's sink and keeps a copy for the record.
class tee_sink final : public http::body_sink
{
public:
    explicit tee_sink(http::body_sink* next) : next_(next) {}

    error_code on_headers(http::response const& head) override
    {
        body.clear(); // a proxy failed over: the next attempt starts again
        return next_->on_headers(head);
    }
    error_code on_data(std::string_view chunk) override
    {
        if (auto ec = next_->on_data(chunk))
            return ec;
        body.append(chunk);
        return {};
    }

    std::string body;

private:
    http::body_sink* next_;
};

std::string warcinfo_fields(settings const& s, std::string_view fetcher)
{
    std::string f;
    auto const line = [&f](std::string_view k, std::string_view v) { f += fmt::format("{}: {}\r\n", k, v); };
    line("software", "weft/" WEFT_VERSION_STRING);
    line("format", "WARC File Format 1.1");
    line("conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/");
    line("http-header-user-agent", s.user_agent);
    line("robots", s.obey_robots ? "obey" : "ignore");
    line("weft-fetcher", fetcher);
    if (!s.render_fetcher.empty())
        line("weft-render-fetcher", s.render_fetcher);
    line("weft-payload", "decoded bodies; Content-Encoding, Transfer-Encoding and Content-Length kept as "
                         "X-Archive-Orig-*");
    return f;
}

// One fetch to record, as the I/O thread hands it over: only what the records hold (no meta,
// no attachments: those belong to the crawl's thread).
struct exchange
{
    http::request req;
    http::response head; // without the body
    std::string body;
    std::chrono::system_clock::time_point started;
};

// Builds, compresses and writes the records on a thread of its own, in the order the fetches
// completed: the digests and the compression (about 2 ms of CPU per 100 kB page) stay off the
// crawl's I/O thread. The queue is bounded (queue_limit bytes): past it the I/O thread waits,
// so a slow disk slows the crawl instead of filling the memory. A process killed meanwhile loses
// the queued records, never the file's consistency (whole members only).
class background_writer
{
public:
    static constexpr std::size_t queue_limit = 64u << 20;

    background_writer(std::unique_ptr<warc::writer> out, std::string user_agent)
        : out_(std::move(out)), user_agent_(std::move(user_agent)), thread_([this] { run(); })
    {
    }
    ~background_writer()
    {
        {
            std::lock_guard lock(m_);
            closing_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }

    void submit(exchange x)
    {
        std::unique_lock lock(m_);
        room_.wait(lock, [&] { return queued_bytes_ < queue_limit || closing_; });
        queued_bytes_ += x.body.size();
        queue_.push_back(std::move(x));
        wake_.notify_one();
    }

    /// The write error, once (then ""): the archive stopped at it.
    std::string take_failure()
    {
        std::lock_guard lock(m_);
        if (failure_said_)
            return {};
        failure_said_ = !failure_.empty();
        return failure_;
    }

private:
    void run()
    {
        std::unique_lock lock(m_);
        while (true)
        {
            wake_.wait(lock, [&] { return !queue_.empty() || closing_; });
            if (queue_.empty())
                return; // closing, everything written
            auto x = std::move(queue_.front());
            queue_.pop_front();
            bool const failed = !failure_.empty();
            lock.unlock();
            std::string error;
            if (!failed)
                error = write(x);
            lock.lock();
            queued_bytes_ -= x.body.size();
            if (!error.empty())
                failure_ = std::move(error);
            room_.notify_all();
        }
    }

    std::string write(exchange const& x)
    {
        try
        {
            auto [rq, rs] = warc::exchange_records(x.req, x.head, x.body, user_agent_, x.started);
            out_->write(rq);
            out_->write(rs);
            return {};
        }
        catch (std::exception const& e)
        {
            return fmt::format("--record: {}; the archive stops there (it holds {} whole records; the crawl goes on "
                               "unrecorded)",
                               e.what(), out_->records());
        }
    }

    std::unique_ptr<warc::writer> out_;
    std::string user_agent_;
    std::mutex m_;
    std::condition_variable wake_, room_;
    std::deque<exchange> queue_;
    std::size_t queued_bytes_ = 0;
    bool closing_ = false;
    std::string failure_;
    bool failure_said_ = false;
    std::thread thread_; // last: started once the rest is built
};

http::response head_of(http::response const& res)
{
    http::response h;
    h.status = res.status;
    h.reason = res.reason;
    h.headers = res.headers;
    h.url = res.url;
    h.final_url = res.final_url;
    h.http_version = res.http_version;
    h.redirects = res.redirects;
    h.wire_bytes = res.wire_bytes;
    h.timing = res.timing;
    return h;
}

class recording_fetcher final : public http::fetcher
{
public:
    recording_fetcher(std::unique_ptr<http::fetcher> inner, std::unique_ptr<warc::writer> out, log_fn log)
        : inner_(std::move(inner)),
          out_(std::make_shared<background_writer>(std::move(out), inner_->options().user_agent)), log_(std::move(log))
    {
    }
    std::string_view name() const noexcept override { return inner_->name(); }
    executor get_executor() const override { return inner_->get_executor(); }
    http::fetch_options const& options() const noexcept override { return inner_->options(); }
    void shutdown() override { inner_->shutdown(); }

private:
    void async_fetch_impl(http::request req, http::body_sink* sink,
                          asio::any_completion_handler<signature> handler) override
    {
        auto tee = sink ? std::make_unique<tee_sink>(sink) : nullptr;
        auto* const through = tee.get();
        auto const slot = asio::get_associated_cancellation_slot(handler);
        exchange x;
        x.req = http::request{req.url(), req.method()};
        x.req.headers() = req.headers();
        x.req.body(req.body());
        x.started = std::chrono::system_clock::now();
        auto done = [this, out = out_, x = std::move(x), tee = std::move(tee),
                     h = std::move(handler)](error_code ec, http::response res) mutable
        {
            // Let go of the writer before the caller resumes (inside h): a caller that then ends
            // the recording must find the writer draining, not held by this handler.
            auto writer = std::move(out);
            if (!ec)
            {
                x.head = head_of(res);
                x.body = tee ? std::move(tee->body) : res.body;
                writer->submit(std::move(x));
                if (auto failure = writer->take_failure(); !failure.empty() && log_)
                    log_(failure);
            }
            writer.reset();
            std::move(h)(ec, std::move(res));
        };
        // The caller's cancellation slot reaches the inner fetch (a stopping crawl aborts it).
        inner_->async_fetch(std::move(req), through, asio::bind_cancellation_slot(slot, std::move(done)));
    }

    std::unique_ptr<http::fetcher> inner_;
    std::shared_ptr<background_writer> out_;
    log_fn log_;
};

// Where each recorded response is: its record's offset, or (a record sharing a gzip member with
// another, from another tool) the record itself.
struct recorded
{
    std::uint64_t offset = 0;
    std::shared_ptr<warc::record const> kept;
};

struct replay_index
{
    std::unordered_map<std::string, std::vector<recorded>> responses;
    std::uint64_t records = 0;
    std::optional<std::uint64_t> truncated_at;
};

replay_index build_index(std::filesystem::path const& path)
{
    replay_index idx;
    warc::reader in(path);
    std::unordered_map<std::string, std::string> requests; // record id -> replay key
    while (auto r = in.next())
    {
        ++idx.records;
        auto const type = r->type();
        if (type == "request")
        {
            auto const id = r->field("WARC-Record-ID");
            auto const block = std::string_view(r->block);
            auto const line_end = block.find(' ');
            auto const head_end = block.find("\r\n\r\n");
            auto const method = block.substr(0, line_end == std::string_view::npos ? 0 : line_end);
            auto const body = head_end == std::string_view::npos ? std::string_view() : block.substr(head_end + 4);
            requests[std::string(id)] = warc::replay_key(method, r->field("WARC-Target-URI"), body);
            continue;
        }
        if (type != "response")
            continue;
        auto const to = requests.find(std::string(r->field("WARC-Concurrent-To")));
        auto key = to != requests.end() ? to->second : warc::replay_key("GET", r->field("WARC-Target-URI"), {});
        recorded where{r->offset, nullptr};
        if (!r->aligned)
            where.kept = std::make_shared<warc::record const>(std::move(*r));
        else
            (void)warc::response_from_record(*r); // corrupt records are refused now, not mid-crawl
        idx.responses[std::move(key)].push_back(std::move(where));
    }
    idx.truncated_at = in.truncated_at();
    return idx;
}

class replay_fetcher final : public http::fetcher
{
public:
    replay_fetcher(executor ex, http::fetch_options opts, std::filesystem::path path, replay_index idx, log_fn log)
        : ex_(std::move(ex)), opts_(std::move(opts)), path_(std::move(path)), file_(path_), index_(std::move(idx)),
          log_(std::move(log))
    {
    }
    std::string_view name() const noexcept override { return "replay"; }
    executor get_executor() const override { return ex_; }
    http::fetch_options const& options() const noexcept override { return opts_; }

    void shutdown() override
    {
        if (missing_ == 0 || said_ || !log_)
            return;
        said_ = true;
        log_(fmt::format("--replay: {} request{} not in {} (the first: {}); record the crawl again to include them",
                         missing_, missing_ == 1 ? " was" : "s were", path_.string(), first_missing_));
    }

private:
    void async_fetch_impl(http::request req, http::body_sink* sink,
                          asio::any_completion_handler<signature> handler) override
    {
        error_code ec;
        http::response res;
        try
        {
            res = answer(req);
        }
        catch (std::exception const& e) // the file changed under us, or the disk failed
        {
            ec = make_error_code(weft::error::not_in_archive);
            res.url = req.url();
            res.error_detail = e.what();
        }
        if (res.status == 0 && !ec)
        {
            ec = make_error_code(weft::error::not_in_archive);
            if (missing_++ == 0)
                first_missing_ = req.method() + " " + req.url();
            res.error_detail = fmt::format("{} {} is not in {}: record the crawl again (--record) to include it",
                                           req.method(), req.url(), path_.string());
        }
        // Completed later, never inside the caller's call (as every fetcher does).
        asio::post(ex_, [ec, sink, res = std::move(res), h = std::move(handler)]() mutable
                   { deliver(ec, sink, std::move(res), std::move(h)); });
    }

    // The next recorded answer to `req`, or a response of status 0 when there is none.
    http::response answer(http::request const& req)
    {
        auto const key = warc::replay_key(req.method(), req.url(), req.body());
        auto const it = index_.responses.find(key);
        if (it == index_.responses.end())
        {
            http::response none;
            none.url = req.url();
            return none;
        }
        auto& next = served_[key];
        auto const& where = it->second[std::min(next, it->second.size() - 1)];
        ++next;
        if (where.kept)
            return warc::response_from_record(*where.kept);
        return warc::response_from_record(file_.read_at(where.offset));
    }

    static void deliver(error_code ec, http::body_sink* sink, http::response res,
                        asio::any_completion_handler<signature> h)
    {
        if (!ec && sink)
        {
            auto body = std::move(res.body);
            res.body.clear();
            ec = sink->on_headers(res);
            constexpr std::size_t piece = 64 * 1024; // as a network fetcher hands a body on
            for (std::size_t at = 0; !ec && at < body.size(); at += piece)
                ec = sink->on_data(std::string_view(body).substr(at, piece));
        }
        std::move(h)(ec, std::move(res));
    }

    executor ex_;
    http::fetch_options opts_;
    std::filesystem::path path_;
    warc::reader file_;
    replay_index index_;
    std::unordered_map<std::string, std::size_t> served_;
    log_fn log_;
    std::uint64_t missing_ = 0;
    std::string first_missing_;
    bool said_ = false;
};

} // namespace

std::unique_ptr<http::fetcher> make_recording_fetcher(std::unique_ptr<http::fetcher> inner, settings const& s,
                                                      log_fn log)
{
    auto const m = s.job_dir.empty() ? warc::writer::mode::truncate : warc::writer::mode::append;
    auto out = std::make_unique<warc::writer>(s.record_warc, m);
    out->write(warc::warcinfo_record(s.record_warc.filename().string(), warcinfo_fields(s, inner->name())));
    return std::make_unique<recording_fetcher>(std::move(inner), std::move(out), std::move(log));
}

std::unique_ptr<http::fetcher> make_replay_fetcher(executor ex, http::fetch_options opts, settings const& s, log_fn log)
{
    auto idx = build_index(s.replay_warc);
    if (idx.truncated_at && log)
        log(fmt::format("--replay: {} ends inside a record at byte {} (a recording that was killed?): replaying "
                        "the {} whole records before it",
                        s.replay_warc.string(), *idx.truncated_at, idx.records));
    return std::make_unique<replay_fetcher>(std::move(ex), std::move(opts), s.replay_warc, std::move(idx),
                                            std::move(log));
}

} // namespace weft::engine::detail
