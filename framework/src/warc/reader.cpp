// Reading is two layers: pull() turns the file into decompressed bytes (member by member for
// .warc.gz), parse_buffered() cuts records out of them. A record's offset is where its gzip
// member starts, so a record written as its own member (weft's writer, warcio's) can be read
// again with read_at().
#include <weft/warc/reader.hpp>

#include <zlib.h>

#include <fmt/format.h>

#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

namespace weft::warc
{

using http::iequals;

struct reader::inflater
{
    z_stream z{};
    bool ready = false;
    ~inflater()
    {
        if (ready)
            inflateEnd(&z);
    }
};

namespace
{

constexpr std::size_t chunk = 64 * 1024;
// A record's header block larger than this is not a WARC header (the fuzzer's "no CRLFCRLF").
constexpr std::size_t max_header_size = 1 << 20;

bool is_digits(std::string_view s)
{
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

} // namespace

reader::reader(std::unique_ptr<std::istream> in, std::string name)
    : in_(std::move(in)), name_(std::move(name)), z_(std::make_unique<inflater>())
{
}

reader::reader(std::filesystem::path const& path)
    : reader(std::make_unique<std::ifstream>(path, std::ios::binary), path.string())
{
    if (!*in_)
        throw std::system_error(errno ? errno : ENOENT, std::generic_category(),
                                "cannot read WARC file " + path.string());
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw std::system_error(EISDIR, std::generic_category(), "cannot read WARC file " + path.string());
}

reader reader::from_bytes(std::string bytes)
{
    return reader(std::make_unique<std::istringstream>(std::move(bytes)), "(in memory)");
}

reader::reader(reader&&) noexcept = default;
reader& reader::operator=(reader&&) noexcept = default;
reader::~reader() = default;

void reader::fail(std::uint64_t offset, std::string const& what) const
{
    throw format_error(offset, fmt::format("WARC file {}: corrupt record at byte {}: {}", name_, offset, what));
}

// More compressed bytes, keeping those not consumed yet; false at the end of the file.
bool reader::fill_input()
{
    if (input_pos_ > 0)
    {
        input_offset_ += input_pos_;
        input_.erase(0, input_pos_);
        input_pos_ = 0;
    }
    auto const had = input_.size();
    input_.resize(had + chunk);
    in_->read(input_.data() + had, static_cast<std::streamsize>(chunk));
    auto const got = static_cast<std::size_t>(in_->gcount());
    input_.resize(had + got);
    return got > 0;
}

void reader::start_member()
{
    member_start_ = input_offset_ + input_pos_;
    while (input_.size() - input_pos_ < 2)
        if (!fill_input())
            break;
    auto const left = input_.size() - input_pos_;
    if (left < 2 || static_cast<unsigned char>(input_[input_pos_]) != 0x1f ||
        static_cast<unsigned char>(input_[input_pos_ + 1]) != 0x8b)
    {
        if (left == 1)
            truncated_at_ = member_start_; // a torn member of one byte
        if (left < 2)
            return;
        fail(member_start_, "not a gzip member (a .warc.gz file holds gzip members, one per record)");
    }
    auto& z = z_->z;
    if (!z_->ready)
    {
        if (inflateInit2(&z, 15 + 16) != Z_OK) // gzip only
            throw std::bad_alloc();
        z_->ready = true;
    }
    else
        inflateReset(&z);
    in_member_ = true;
}

// Appends decompressed bytes to out_; false when the file has no more.
bool reader::pull()
{
    if (!gzip_)
    {
        while (input_.size() - input_pos_ < 2 && fill_input())
        {
        }
        auto const left = input_.size() - input_pos_;
        gzip_ = left >= 2 && static_cast<unsigned char>(input_[input_pos_]) == 0x1f &&
                static_cast<unsigned char>(input_[input_pos_ + 1]) == 0x8b;
    }
    if (!*gzip_)
    {
        if (input_pos_ == input_.size() && !fill_input())
            return false;
        out_.append(input_, input_pos_);
        input_pos_ = input_.size();
        return true;
    }
    if (!in_member_)
    {
        if (input_pos_ == input_.size() && !fill_input())
            return false;
        start_member();
        if (!in_member_)
            return false;
    }
    auto& z = z_->z;
    char buf[chunk];
    while (true)
    {
        if (input_pos_ == input_.size() && !fill_input())
            return false; // the file ends inside a member
        z.next_in = reinterpret_cast<Bytef*>(input_.data() + input_pos_);
        z.avail_in = static_cast<uInt>(input_.size() - input_pos_);
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        int const rc = inflate(&z, Z_NO_FLUSH);
        input_pos_ = input_.size() - z.avail_in;
        auto const produced = sizeof buf - z.avail_out;
        out_.append(buf, produced);
        if (rc == Z_STREAM_END)
        {
            in_member_ = false;
            return true;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            fail(member_start_, std::string("gzip data does not decode (") + (z.msg ? z.msg : "zlib error") + ")");
        if (produced > 0)
            return true;
    }
}

// One record from out_, or nothing when out_ holds only part of one.
std::optional<record> reader::parse_buffered(std::uint64_t offset, bool aligned)
{
    std::string_view const buf = std::string_view(out_).substr(out_pos_);
    auto const head_end = buf.find("\r\n\r\n");
    if (head_end == std::string_view::npos)
    {
        if (buf.size() > max_header_size)
            fail(offset, "no end of the header block in its first MiB");
        if (buf.size() >= 9 && !buf.starts_with("WARC/"))
            fail(offset, "does not start with a WARC version line (WARC/1.1)");
        return std::nullopt;
    }
    auto const head = buf.substr(0, head_end);
    auto line_end = head.find("\r\n");
    auto const version = head.substr(0, line_end);
    if (version != "WARC/1.1" && version != "WARC/1.0")
        fail(offset, "does not start with a WARC version line (WARC/1.1 or WARC/1.0)");
    record r;
    r.offset = offset;
    r.aligned = aligned;
    std::optional<std::uint64_t> length;
    for (auto pos = line_end; pos != std::string_view::npos && pos < head.size();)
    {
        pos += 2;
        auto const next = head.find("\r\n", pos);
        auto const line = head.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
        pos = next;
        if (line.empty())
            continue;
        if ((line.front() == ' ' || line.front() == '\t') && !r.fields.empty()) // an obsolete folded line
        {
            auto last = *(r.fields.end() - 1);
            r.fields.remove(last.first);
            r.fields.add(last.first, last.second + " " + std::string(trim(line)));
            continue;
        }
        auto const colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0)
            fail(offset, "a header line without 'Name:' (" + std::string(line.substr(0, 60)) + ")");
        auto const name = trim(line.substr(0, colon));
        auto const value = trim(line.substr(colon + 1));
        if (iequals(name, "Content-Length"))
        {
            std::uint64_t n = 0;
            auto const [end, err] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (!is_digits(value) || err != std::errc() || end != value.data() + value.size())
                fail(offset, "Content-Length '" + std::string(value.substr(0, 30)) + "' is not a number");
            if (n > max_block_size)
                fail(offset,
                     fmt::format("Content-Length {} is over the {} bytes a record may hold", n, max_block_size));
            length = n;
        }
        r.fields.add(std::string(name), std::string(value));
    }
    if (!length)
        fail(offset, "no Content-Length field");
    auto const block_start = head_end + 4;
    auto const total = block_start + *length + 4;
    if (buf.size() < total)
        return std::nullopt;
    if (buf.substr(block_start + *length, 4) != "\r\n\r\n")
        fail(offset, "the block is not followed by CRLF CRLF (a wrong Content-Length?)");
    r.block.assign(buf.substr(block_start, *length));
    out_pos_ += total;
    if (out_pos_ == out_.size() || out_pos_ > (4u << 20))
    {
        out_.erase(0, out_pos_);
        out_pos_ = 0;
    }
    return r;
}

std::optional<record> reader::next()
{
    if (truncated_at_)
        return std::nullopt;
    std::uint64_t offset = 0;
    bool aligned = true;
    bool const empty = out_pos_ == out_.size();
    if (gzip_ && *gzip_)
    {
        // A record that starts a member is at that member's offset; one after another record in
        // the same member is only known by its member's.
        aligned = empty && !in_member_;
        offset = aligned ? input_offset_ + input_pos_ : member_start_;
    }
    else
        offset = input_offset_ + input_pos_ - (out_.size() - out_pos_);
    if (empty && !in_member_ && gzip_)
    {
        // The start of a record: a clean end of the file here is the end, not a torn record.
        if (input_pos_ == input_.size() && !fill_input())
            return std::nullopt;
        if (*gzip_)
            offset = input_offset_ + input_pos_;
    }
    while (true)
    {
        if (auto r = parse_buffered(offset, aligned))
        {
            // A record that ends its gzip member counts once the member's end (CRC and length)
            // is read: a file cut inside that trailer is torn there, and a flipped bit is caught.
            while (gzip_ && *gzip_ && in_member_ && out_pos_ == out_.size())
                if (!pull())
                {
                    truncated_at_ = offset;
                    return std::nullopt;
                }
            return r;
        }
        if (!pull())
        {
            if (out_pos_ == out_.size() && !in_member_)
                return std::nullopt; // nothing started: the end
            truncated_at_ = offset;
            return std::nullopt;
        }
    }
}

record reader::read_at(std::uint64_t offset)
{
    in_->clear();
    in_->seekg(static_cast<std::streamoff>(offset));
    if (!*in_)
        fail(offset, "cannot seek there");
    input_.clear();
    input_pos_ = 0;
    input_offset_ = offset;
    out_.clear();
    out_pos_ = 0;
    in_member_ = false;
    truncated_at_.reset();
    if (auto r = next())
        return std::move(*r);
    fail(offset, "no whole record there");
}

} // namespace weft::warc
