#include "curl_multi.hpp"

#include <boost/asio/error.hpp>

#include <chrono>
#include <stdexcept>
#include <utility>
#include <vector>

#include <sys/socket.h>
#include <unistd.h>

namespace weft::http::detail
{

namespace
{

void global_init()
{
    // curl_global_init is not thread-safe before 7.84 and must run once per process.
    static CURLcode const rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK)
        throw std::runtime_error(std::string("curl_global_init: ") + curl_easy_strerror(rc));
}

} // namespace

struct curl_multi::socket_state
{
    socket_state(executor const& ex, curl_socket_t s) : fd(s), descriptor(ex) {}

    curl_socket_t fd;
    asio::posix::stream_descriptor descriptor;
    int what = 0;         // CURL_POLL_IN | CURL_POLL_OUT: what curl wants now
    bool reading = false; // a wait_read is pending
    bool writing = false; // a wait_write is pending
    bool watched = true;  // false once released: pending waits must not call curl
};

std::shared_ptr<curl_multi> curl_multi::create(executor ex, limits lim, done_handler on_done)
{
    global_init();
    std::shared_ptr<curl_multi> m(new curl_multi(std::move(ex), lim, std::move(on_done)));
    m->open_multi();
    return m;
}

curl_multi::curl_multi(executor ex, limits lim, done_handler on_done)
    : ex_(std::move(ex)), limits_(lim), on_done_(std::move(on_done)), timer_(ex_)
{
}

curl_multi::~curl_multi()
{
    close();
}

void curl_multi::open_multi()
{
    multi_ = curl_multi_init();
    if (!multi_)
        throw std::runtime_error("curl_multi_init failed");
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &curl_multi::on_socket);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &curl_multi::on_timer);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_PIPELINING, long{CURLPIPE_MULTIPLEX});
    if (limits_.max_host_connections > 0)
        curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, limits_.max_host_connections);
    if (limits_.max_total_connections > 0)
    {
        curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, limits_.max_total_connections);
        curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, limits_.max_total_connections);
    }
}

void curl_multi::adopt(CURL* easy) noexcept
{
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &curl_multi::on_open_socket);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, this);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &curl_multi::on_close_socket);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
}

CURLMcode curl_multi::add(CURL* easy) noexcept
{
    if (closed_)
        return CURLM_BAD_HANDLE;
    ++depth_;
    // Adding sets a timeout of 0 through on_timer: the transfer starts from the loop.
    CURLMcode const mc = curl_multi_add_handle(multi_, easy);
    --depth_;
    return mc;
}

void curl_multi::remove(CURL* easy) noexcept
{
    if (!multi_)
        return;
    ++depth_;
    curl_multi_remove_handle(multi_, easy);
    --depth_;
}

void curl_multi::reset()
{
    if (closed_)
        return;
    ++depth_;
    timer_.cancel();
    curl_multi_cleanup(multi_); // closes the pooled connections through on_close_socket
    multi_ = nullptr;
    --depth_;
    open_multi();
}

void curl_multi::close() noexcept
{
    if (closed_)
        return;
    closed_ = true;
    timer_.cancel();
    if (multi_)
    {
        ++depth_;
        curl_multi_cleanup(multi_);
        --depth_;
        multi_ = nullptr;
    }
    std::vector<curl_socket_t> left;
    for (auto const& [fd, st] : sockets_)
        left.push_back(fd);
    for (auto fd : left)
        forget(fd);
}

void curl_multi::socket_action(curl_socket_t s, int events)
{
    int running = 0;
    ++depth_;
    curl_multi_socket_action(multi_, s, events, &running);
    --depth_;
    process_messages();
}

void curl_multi::process_messages()
{
    int left = 0;
    while (!closed_)
    {
        CURLMsg* msg = curl_multi_info_read(multi_, &left);
        if (!msg)
            break;
        if (msg->msg != CURLMSG_DONE)
            continue;
        // Copy out: the message dies when the handle is removed.
        CURL* const easy = msg->easy_handle;
        CURLcode const result = msg->data.result;
        on_done_(easy, result);
    }
}

void curl_multi::arm(std::shared_ptr<socket_state> const& st)
{
    if (st->what & CURL_POLL_IN)
        start_wait(st, true);
    if (st->what & CURL_POLL_OUT)
        start_wait(st, false);
}

void curl_multi::start_wait(std::shared_ptr<socket_state> const& st, bool read)
{
    bool& pending = read ? st->reading : st->writing;
    if (pending)
        return;
    pending = true;
    st->descriptor.async_wait(read ? asio::posix::descriptor_base::wait_read : asio::posix::descriptor_base::wait_write,
                              [self = shared_from_this(), st, read](error_code ec) { self->on_ready(st, read, ec); });
}

void curl_multi::on_ready(std::shared_ptr<socket_state> const& st, bool read, error_code ec)
{
    (read ? st->reading : st->writing) = false;
    if (closed_ || !st->watched || ec == asio::error::operation_aborted)
        return;
    // A wait left over from when curl wanted this direction: drop it.
    if (!(st->what & (read ? CURL_POLL_IN : CURL_POLL_OUT)))
        return;
    socket_action(st->fd, ec ? CURL_CSELECT_ERR : read ? CURL_CSELECT_IN : CURL_CSELECT_OUT);
    // socket_action re-entered on_socket: st may want other directions now, or be released.
    if (!closed_ && st->watched)
        arm(st);
}

void curl_multi::forget(curl_socket_t s) noexcept
{
    auto it = sockets_.find(s);
    if (it == sockets_.end())
        return;
    auto st = std::move(it->second);
    sockets_.erase(it);
    st->watched = false;
    error_code ignored;
    st->descriptor.cancel(ignored);
    st->descriptor.release(); // curl closes the fd, never us
}

int curl_multi::on_socket(CURL*, curl_socket_t s, int what, void* userp, void*)
{
    auto* self = static_cast<curl_multi*>(userp);
    if (what == CURL_POLL_REMOVE)
    {
        self->forget(s);
        return 0;
    }
    if (self->closed_)
        return 0;
    auto it = self->sockets_.find(s);
    if (it == self->sockets_.end())
    {
        auto st = std::make_shared<socket_state>(self->ex_, s);
        error_code ec;
        st->descriptor.assign(s, ec);
        if (ec)
            return -1; // curl fails the transfers using s
        it = self->sockets_.emplace(s, std::move(st)).first;
    }
    it->second->what = what;
    self->arm(it->second);
    return 0;
}

int curl_multi::on_timer(CURLM*, long timeout_ms, void* userp)
{
    auto* self = static_cast<curl_multi*>(userp);
    if (self->closed_)
        return 0;
    if (timeout_ms < 0)
    {
        self->timer_.cancel();
        return 0;
    }
    // A new timeout replaces the former one. 0 means "as soon as possible" but never from within
    // this callback (CURLMOPT_TIMERFUNCTION's warning): a zero-length wait runs from the loop.
    self->timer_.expires_after(std::chrono::milliseconds(timeout_ms));
    self->timer_.async_wait(
        [w = self->weak_from_this()](error_code ec)
        {
            auto self = w.lock();
            if (ec == asio::error::operation_aborted || !self || self->closed_)
                return;
            self->socket_action(CURL_SOCKET_TIMEOUT, 0);
        });
    return 0;
}

curl_socket_t curl_multi::on_open_socket(void* clientp, curlsocktype, curl_sockaddr* addr)
{
    auto* self = static_cast<curl_multi*>(clientp);
    int const fd = ::socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
    if (fd < 0)
        return CURL_SOCKET_BAD;
    // An entry under this number belongs to an fd closed without CURL_POLL_REMOVE (the threaded
    // resolver's socketpair): drop it before the number is watched again.
    self->forget(fd);
    ++self->open_sockets_;
    return fd;
}

int curl_multi::on_close_socket(void* clientp, curl_socket_t s)
{
    auto* self = static_cast<curl_multi*>(clientp);
    self->forget(s); // deregister from the reactor before the number can be reused
    --self->open_sockets_;
    return ::close(s);
}

} // namespace weft::http::detail
