#include "ingestroute.h"

#include "apierror.h"
#include "ingest/decodebudget.h"
#include "ingest/decodepool.h"
#include "ingest/gzipinflater.h"
#include "ingest/inflightbudget.h"
#include "ingeststats.h"
#include "queryparams.h"
#include "store/storewriter.h"

namespace fg {

namespace {

QByteArray mediaType(const HttpRequest &r)
{
    QByteArray ct = r.header("content-type");
    const qsizetype semi = ct.indexOf(';');
    if (semi >= 0)
        ct.truncate(semi);
    return ct.trimmed().toLower();
}

bool isGzip(const HttpRequest &r)
{
    const QByteArray enc = r.header("content-encoding").trimmed().toLower();
    return enc == "gzip" || enc == "x-gzip" || enc == "deflate";
}

} // namespace

IngestRoute::IngestRoute(const DecoderFactory &makeDecoder, std::shared_ptr<const IngestDialect> dialect,
                         std::shared_ptr<IngestCounters> counters, StoreWriter *writer, InflightBudget *budget,
                         IngestStats *stats, const TagRulesHolder *tagRules, qint64 maxDecompressedBytes, DecodePool *pool)
    : m_pool(pool), m_dialect(std::move(dialect)), m_counters(std::move(counters)), m_tagRules(tagRules),
      m_writer(writer), m_budget(budget), m_stats(stats), m_maxDecompressed(maxDecompressedBytes)
{
    for (int i = 0, n = pool ? pool->threads() : 1; i < n; ++i)
        m_decoders.push_back(makeDecoder());
    m_ordered = m_decoders.front()->keepsState();
}

std::optional<HttpResponse> IngestRoute::checkHead(const HttpRequest &head) const
{
    const QByteArray type = mediaType(head);
    if (!m_dialect->formatFor(type))
        return m_dialect->unsupportedType(type);
    const QByteArray enc = head.header("content-encoding").trimmed().toLower();
    if (!enc.isEmpty() && enc != "identity" && !isGzip(head))
        return apiError(415, QStringLiteral("Content-Encoding '%1' is not supported; use gzip").arg(QString::fromLatin1(enc)),
                        QJsonObject{{QStringLiteral("field"), QStringLiteral("Content-Encoding")}});
    return std::nullopt;
}

void IngestRoute::handle(HttpRequest &&request, const HttpResponder &responder, std::size_t orderKey)
{
    Q_ASSERT(m_pool);
    m_stats->requests++;
    m_counters->requests++;
    m_stats->bytesReceived += request.body.size();
    Work work;
    work.format = m_dialect->formatFor(mediaType(request)).value_or(BodyFormat::Auto);
    work.gzip = isGzip(request);
    work.queryService = QueryParams(request.query).text(QStringLiteral("service")).toStdString();
    work.receivedAt = request.receivedAt;
    work.body = std::move(request.body);
    const BodyFormat format = work.format;
    // While queued, an HTTP body stays charged to its connection's reservation (released once answered).
    const bool queued = m_pool->tryRun(
        [this, work = std::move(work), responder](int worker) mutable { decode(worker, work, responder); },
        m_ordered ? reinterpret_cast<std::size_t>(this) : orderKey);
    if (!queued) {
        m_stats->overloaded++;
        responder.send(m_dialect->inFormat(
            format, apiError(503, QStringLiteral("ingest is at capacity (every decode worker is busy); retry shortly"))));
    }
}

void IngestRoute::decode(int worker, Work &work, const HttpResponder &responder)
{
    if (responder.clientGone())
        return; // left while queued, unanswered: it sends again, so storing now would store twice
    const BodyFormat format = work.format;
    // Every answer in the request's encoding (OTLP protobuf clients read protobuf).
    auto send = [&responder, dialect = m_dialect, format](HttpResponse r) {
        responder.send(dialect->inFormat(format, std::move(r)));
    };
    QByteArray body = std::move(work.body);
    qint64 extraReserved = 0;
    if (work.gzip) {
        QByteArray inflated;
        const auto rc = GzipInflater::inflate(body, m_maxDecompressed, inflated, kJsonPadding);
        if (rc == GzipInflater::Result::TooLarge) {
            send(apiError(413, QStringLiteral("decompressed body is over the limit of %1 bytes").arg(m_maxDecompressed),
                                    QJsonObject{{QStringLiteral("limit"), QStringLiteral("max_decompressed_bytes")},
                                                {QStringLiteral("max"), m_maxDecompressed}}));
            return;
        }
        if (rc == GzipInflater::Result::Corrupt) {
            send(apiError(400, QStringLiteral("body is not valid gzip data"),
                                    QJsonObject{{QStringLiteral("field"), QStringLiteral("Content-Encoding")}}));
            return;
        }
        // The inflated text and its records are held on top of what the transport reserved.
        extraReserved = 2 * inflated.size();
        if (!m_budget->tryReserve(extraReserved)) {
            m_stats->overloaded++;
            send(apiError(503, QStringLiteral("ingest is at capacity; retry shortly")));
            return;
        }
        body = std::move(inflated);
    }
    body.reserve(body.size() + qsizetype(kJsonPadding));

    // The parser's document (its tape and strings) while decoding: several times the text for bodies of
    // tiny items, so a compact body cannot take far more memory than the budget says.
    const qint64 parseReserve = kJsonParseFactor * body.size();
    if (!m_budget->tryReserve(parseReserve)) {
        m_stats->overloaded++;
        if (extraReserved)
            m_budget->release(extraReserved);
        const bool tooLarge = parseReserve + extraReserved > m_budget->capacity() / 2;
        send(apiError(tooLarge ? 413 : 503,
                                tooLarge ? QStringLiteral("the body is too large to decode within --max-inflight; split it")
                                         : QStringLiteral("ingest is at capacity; retry shortly"),
                                tooLarge ? QJsonObject{{QStringLiteral("limit"), QStringLiteral("max_inflight_bytes")}}
                                         : QJsonObject{}));
        return;
    }
    // The transport reserved as much again as the body for its records; more comes from the budget.
    DecodeBudget decodeBudget(m_budget, body.size());
    DecodeResult decoded = m_decoders[std::size_t(worker)]->decode(
        std::string_view(body.constData(), std::size_t(body.size())), format, work.receivedAt, &decodeBudget,
        work.queryService);
    body = QByteArray();
    m_budget->release(parseReserve);
    if (decoded.overBudget) {
        m_stats->overloaded++;
        const qint64 needed = decodeBudget.charged();
        if (extraReserved)
            m_budget->release(extraReserved);
        // A request that could not fit even alone is too large; otherwise the listener is busy.
        if (needed > m_budget->capacity() / 2)
            send(apiError(413, QStringLiteral("request holds too many items: over %1 bytes once decoded; "
                                                        "split it or raise --max-inflight")
                                             .arg(needed)));
        else
            send(apiError(503, QStringLiteral("ingest is at capacity; retry shortly")));
        return;
    }
    extraReserved += decodeBudget.takeReservation();
    auto releaseExtra = [budget = m_budget, extraReserved] {
        if (extraReserved)
            budget->release(extraReserved);
    };
    if (decoded.tooManyItems) {
        releaseExtra();
        send(m_dialect->tooManyItems(decoded.itemLimit));
        return;
    }
    m_stats->itemsRejected += decoded.errors.total();
    m_counters->rejected += decoded.errors.total();
    if (!decoded.malformed.empty()) {
        releaseExtra();
        send(m_dialect->malformed(decoded.malformed));
        return;
    }
    if (decoded.accepted == 0) {
        releaseExtra();
        send(m_dialect->answer(decoded.itemKinds, decoded.itemIds, 0, 0, decoded.errors));
        return;
    }

    const std::shared_ptr<const TagRules> tagRules = m_tagRules->current();
    for (LogRecord &r : decoded.batch.logs) {
        m_classifier.enrich(r);
        for (const std::string &tag : tagRules->tagsFor(r))
            r.tags += (r.tags.empty() ? "," : "") + tag + ",";
    }
    auto job = std::make_unique<WriteJob>();
    job->batch = std::move(decoded.batch);
    const int accepted = decoded.accepted;
    job->done = [responder, accepted, errors = std::move(decoded.errors), kinds = std::move(decoded.itemKinds),
                 ids = std::move(decoded.itemIds),
                 stats = m_stats, dialect = m_dialect, format,
                 counters = m_counters, receivedAt = work.receivedAt, releaseExtra](const WriteOutcome &outcome) {
        releaseExtra();
        if (!outcome.ok && outcome.diskFull) {
            responder.send(dialect->inFormat(
                format, apiError(507, QStringLiteral("the disk is full: nothing of this request was stored; retry once "
                                                     "space is freed"))));
            return;
        }
        if (!outcome.ok) {
            qWarning("ingest not stored: %s", outcome.error.c_str());
            responder.send(dialect->inFormat(
                format, apiError(500, QStringLiteral("storage failed, nothing of this request was stored; see FlowGuard's log"))));
            return;
        }
        stats->itemsAccepted += accepted;
        counters->accepted += accepted;
        counters->observeCommit(double(nowNs() - receivedAt) / double(kNsPerSec));
        responder.send(dialect->inFormat(format, dialect->answer(kinds, ids, accepted, outcome.duplicates, errors)));
    };
    m_writer->submit(std::move(job));
}

} // namespace fg
