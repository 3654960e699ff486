import Foundation

/// How the deduplicator decides: the score at or above which two records are the same study, and the band
/// below it whose pairs are listed for a person to decide.
public struct DedupOptions: Sendable, Equatable {
    /// Pairs scoring at least this (0…1) are duplicates.
    public var threshold: Double
    /// Pairs scoring in `threshold - uncertainBand ..< threshold` are listed as uncertain.
    public var uncertainBand: Double
    /// Blocks larger than this are compared by sorted neighbourhood instead of every pair.
    public var maxBlock: Int
    /// Neighbours each record is compared with inside a large block.
    public var window: Int
    /// Also link notices (errata, corrections, retractions, replies) to the publication they are about, by title and
    /// journal. Off by default: a notice is a record of its own; the SRA gold sets count them as duplicates.
    public var linkNotices: Bool

    /// Creates options; the defaults are tuned on ASySD Diabetes and SRA Haematology.
    public init(threshold: Double = 0.9, uncertainBand: Double = 0.1, maxBlock: Int = 64, window: Int = 8, linkNotices: Bool = false) {
        self.threshold = threshold
        self.uncertainBand = uncertainBand
        self.maxBlock = maxBlock
        self.window = window
        self.linkNotices = linkNotices
    }
}

/// A person's decision on one pair of records, which overrides the matcher.
public struct DedupDecision: Sendable, Equatable, Hashable {
    public var recordA: String
    public var recordB: String
    /// True for `same`, false for `different`.
    public var same: Bool
    /// The decisions file and line it was read from (for errors).
    public var file: String
    public var line: Int

    /// Creates a decision.
    public init(recordA: String, recordB: String, same: Bool, file: String = "", line: Int = 0) {
        self.recordA = recordA
        self.recordB = recordB
        self.same = same
        self.file = file
        self.line = line
    }
}

/// One row of duplicates.csv: a member of a cluster of two or more records.
public struct DuplicateRow: Sendable, Equatable {
    public var cluster: Int
    public var recordID: String
    public var sourceID: String?
    /// True for the kept member.
    public var kept: Bool
    /// Matched field names joined with `+` (or `decision`); empty for the kept member.
    public var match: String
    /// The score of the link that brought a removed member in; nil for the kept member.
    public var score: Double?
}

/// A pair scored near the threshold and not merged, for a person to decide.
public struct UncertainPair: Sendable, Equatable {
    public var recordA: String
    public var recordB: String
    public var score: Double
    public var match: String
}

/// What one deduplication gave.
public struct DedupResult: Sendable {
    /// One record per cluster, in input order of the kept member (the first member), merged.
    public var unique: [Record]
    /// Every member of every cluster of two or more, cluster by cluster.
    public var rows: [DuplicateRow]
    public var uncertain: [UncertainPair]
    public var recordsIn: Int
    /// Clusters of two or more records.
    public var clusters: Int
    /// Candidate pairs scored (grows near-linearly with the records).
    public var candidatePairs: Int

    public var duplicatesRemoved: Int { recordsIn - unique.count }

    /// One line for the trail commit and the terminal.
    public var sentence: String {
        "\(recordsIn) records in, \(duplicatesRemoved) duplicates removed in \(clusters) clusters, \(unique.count) unique, "
            + "\(uncertain.count) uncertain pair\(uncertain.count == 1 ? "" : "s")"
    }
}

/// Finds duplicate records: exact identifiers (DOI, PMID) and fuzzy agreement of title, authors, year, journal,
/// volume and first page, on candidate pairs from blocking keys; clusters linked pairs with a guard against
/// chaining, and merges each cluster into one record. Notices (errata, replies) stay apart from the publication
/// they are about unless `DedupOptions.linkNotices` is set.
public enum Deduplicator {
    /// Deduplicates `records` (in input order: the first member of a cluster is kept).
    /// - Parameters:
    ///   - decisions: a person's decisions; `same` links a pair, `different` forbids it in any cluster.
    ///   - progress: messages for long runs.
    /// - Throws: `DedupError.unknownRecord` when a decision names a record that is not in `records`,
    ///   `DedupError.duplicateID` when two records share an id.
    public static func run(
        _ records: [Record], options: DedupOptions = DedupOptions(), decisions: [DedupDecision] = [],
        progress: (String) -> Void = { _ in }
    ) throws(DedupError) -> DedupResult {
        let n = records.count
        var index: [String: Int32] = [:]
        index.reserveCapacity(n)
        for (i, r) in records.enumerated() {
            if index.updateValue(Int32(i), forKey: r.id) != nil { throw .duplicateID(r.id) }
        }
        var forced: [(Int32, Int32)] = []
        var cannot: [Int32: [Int32]] = [:]
        var decided: Set<UInt64> = []
        for d in decisions {
            guard let a = index[d.recordA] else { throw .unknownRecord(file: d.file, line: d.line, id: d.recordA) }
            guard let b = index[d.recordB] else { throw .unknownRecord(file: d.file, line: d.line, id: d.recordB) }
            if a == b { continue }
            decided.insert(pairKey(a, b))
            if d.same {
                forced.append((min(a, b), max(a, b)))
            } else {
                cannot[a, default: []].append(b)
                cannot[b, default: []].append(a)
            }
        }

        var features = records.map(DedupFeatures.init)
        progress("\(n) records normalised")
        var candidates = candidatePairs(features, options: options)
        progress("\(candidates.count) candidate pairs from blocking")

        var edges: [Edge] = []
        var uncertainPairs: [Edge] = []
        let low = options.threshold - options.uncertainBand
        for (k, key) in candidates.enumerated() {
            let a = Int32(truncatingIfNeeded: key >> 32), b = Int32(truncatingIfNeeded: key & 0xFFFF_FFFF)
            if decided.contains(key) { continue }
            let (score, match, citation) = compare(features[Int(a)], features[Int(b)], linkNotices: options.linkNotices)
            if score >= options.threshold {
                edges.append(Edge(a: a, b: b, score: score, match: match, citation: citation))
            } else if score >= low {
                uncertainPairs.append(Edge(a: a, b: b, score: score, match: match, citation: citation))
            }
            if (k + 1) % 1_000_000 == 0 { progress("\(k + 1) pairs scored") }
        }
        edges.sort { ($0.score, $1.a, $1.b) > ($1.score, $0.a, $0.b) }

        // Clusters: person-decided links first, then the matcher's links from the strongest down, each refused
        // when it would put two records a person called different, or two conflicting identifiers, in one cluster.
        var clusters = Clusters(features: features, cannot: cannot)
        var linkOf: [Int32: Edge] = [:]
        for (a, b) in forced {
            if clusters.union(a, b, guarded: false) {
                note(Edge(a: a, b: b, score: 1, match: "decision", citation: false), in: &linkOf)
            }
        }
        for e in edges where clusters.union(e.a, e.b, guarded: true, citation: e.citation) {
            note(e, in: &linkOf)
        }
        progress("clusters formed")
        // The features, pairs and links are done with: free them before the merged records are built.
        let candidateCount = candidates.count
        candidates = []
        edges = []
        features = []
        clusters.releaseFeatures()

        // Members per root, in input order, as linked lists in flat arrays (a dictionary of arrays would cost a
        // heap allocation per record at a million records).
        var firstOf = [Int32](repeating: -1, count: n)
        var lastOf = [Int32](repeating: -1, count: n)
        var nextMember = [Int32](repeating: -1, count: n)
        var uniqueCount = 0
        for i in 0..<Int32(n) {
            let root = Int(clusters.find(i))
            if firstOf[root] < 0 {
                firstOf[root] = i
                uniqueCount += 1
            } else {
                nextMember[Int(lastOf[root])] = i
            }
            lastOf[root] = i
        }
        lastOf = []
        var unique: [Record] = []
        unique.reserveCapacity(uniqueCount)
        var rows: [DuplicateRow] = []
        var clusterCount = 0
        for i in 0..<Int32(n) {
            guard firstOf[Int(clusters.find(i))] == i else { continue }
            var list: [Int32] = [i]
            var m = nextMember[Int(i)]
            while m >= 0 {
                list.append(m)
                m = nextMember[Int(m)]
            }
            if list.count == 1 {
                unique.append(records[Int(i)])
                continue
            }
            clusterCount += 1
            unique.append(merge(list.map { records[Int($0)] }))
            for m in list {
                let r = records[Int(m)]
                if m == i {
                    rows.append(DuplicateRow(cluster: clusterCount, recordID: r.id, sourceID: r.sourceID, kept: true, match: "", score: nil))
                } else {
                    let link = linkOf[m] ?? Edge(a: i, b: m, score: 0, match: "", citation: false)
                    rows.append(DuplicateRow(cluster: clusterCount, recordID: r.id, sourceID: r.sourceID, kept: false, match: link.match, score: link.score))
                }
            }
        }
        let uncertain = uncertainPairs.filter { clusters.find($0.a) != clusters.find($0.b) }
            .sorted { ($0.a, $0.b) < ($1.a, $1.b) }
            .map { UncertainPair(recordA: records[Int($0.a)].id, recordB: records[Int($0.b)].id, score: $0.score, match: $0.match) }
        return DedupResult(
            unique: unique, rows: rows, uncertain: uncertain, recordsIn: n, clusters: clusterCount, candidatePairs: candidateCount)
    }

    /// Keeps, for each record, the strongest link that touches it.
    private static func note(_ e: Edge, in links: inout [Int32: Edge]) {
        for x in [e.a, e.b] where links[x].map({ $0.score < e.score }) ?? true { links[x] = e }
    }

    static func pairKey(_ a: Int32, _ b: Int32) -> UInt64 {
        let lo = min(a, b), hi = max(a, b)
        return UInt64(UInt32(lo)) << 32 | UInt64(UInt32(hi))
    }

    // MARK: Blocking

    /// Candidate pairs (as `pairKey`s, sorted): records sharing a DOI, a PMID, the start or the end of the title,
    /// or year, volume and first page, or first author, year and first page. Blocks larger than `maxBlock` are
    /// compared by sorted neighbourhood, so the pairs grow linearly with the records.
    static func candidatePairs(_ features: [DedupFeatures], options: DedupOptions) -> [UInt64] {
        var keys: [(UInt64, Int32)] = []
        keys.reserveCapacity(features.count * 5)
        let span = 24
        for (i, f) in features.enumerated() {
            let id = Int32(i)
            for d in f.dois { keys.append((d, id)) }
            if let p = f.pmid { keys.append((DedupText.hash(2, p.utf8), id)) }
            let compact = f.title.filter { $0 != 0x20 }
            if compact.count >= 8 {
                keys.append((DedupText.hash(3, compact.prefix(span)), id))
                keys.append((DedupText.hash(4, compact.suffix(span)), id))
            }
            if !f.page.isEmpty, let year = f.year {
                var k = f.page
                k.append(0x7C)
                k.append(contentsOf: String(year).utf8)
                if let v = f.volume { keys.append((DedupText.hash(5, k + Array(String(v).utf8)), id)) }
                if f.firstAuthor != 0 { keys.append((DedupText.hash(6, k) ^ (f.firstAuthor &* 0x9E37_79B9_7F4A_7C15), id)) }
            }
        }
        keys.sort { $0 < $1 }
        var pairs: [UInt64] = []
        pairs.reserveCapacity(features.count * 4)
        var start = 0
        while start < keys.count {
            var end = start + 1
            while end < keys.count, keys[end].0 == keys[start].0 { end += 1 }
            let block = keys[start..<end].map(\.1)
            if block.count <= options.maxBlock {
                for x in 0..<block.count {
                    for y in (x + 1)..<block.count where block[x] != block[y] { pairs.append(pairKey(block[x], block[y])) }
                }
            } else {
                let sorted = block.sorted { x, y in
                    let tx = features[Int(x)].title, ty = features[Int(y)].title
                    return tx == ty ? x < y : tx.lexicographicallyPrecedes(ty)
                }
                for x in 0..<sorted.count {
                    for y in (x + 1)..<min(sorted.count, x + 1 + options.window) { pairs.append(pairKey(sorted[x], sorted[y])) }
                }
            }
            start = end
        }
        pairs.sort()
        var unique: [UInt64] = []
        unique.reserveCapacity(pairs.count)
        for p in pairs where unique.last != p { unique.append(p) }
        return unique
    }

    // MARK: Scoring

    /// The score a pair gets from one of the rules that name a publication without the usual field weights.
    static let ruleScore = 0.92

    /// The score (0…1) of a pair, the names of the fields that agree, and whether the pair is a full citation match
    /// (same title, authors, year, journal and first page), which outweighs a conflicting DOI in the cluster guard.
    static func compare(_ a: DedupFeatures, _ b: DedupFeatures, linkNotices: Bool = false) -> (Double, String, Bool) {
        var matched: [String] = []
        let sharedDOI = !a.dois.isEmpty && a.dois.contains(where: b.dois.contains)
        let doiConflict = !a.dois.isEmpty && !b.dois.isEmpty && !sharedDOI
        let samePMID = a.pmid != nil && a.pmid == b.pmid
        let pmidConflict = a.pmid != nil && b.pmid != nil && !samePMID
        if sharedDOI { matched.append("doi") }
        if samePMID { matched.append("pmid") }

        let hasTitles = !a.title.isEmpty && !b.title.isEmpty
        let title = hasTitles ? DedupSimilarity.title(a.title, b.title, minimum: 0.75) : 0
        if hasTitles && title >= 0.9 { matched.append("title") }

        var weight = 0.0, agree = 0.0
        func field(_ name: String, _ w: Double, _ v: Double?) {
            guard let v else { return }
            weight += w
            agree += w * v
            if v >= 0.85 { matched.append(name) }
        }
        let authors = a.authors.isEmpty || b.authors.isEmpty ? nil : DedupSimilarity.authors(a.authors, b.authors)
        field("authors", 3, authors)
        field("year", 2, a.year.flatMap { ya in b.year.map { yb -> Double in ya == yb ? 1 : abs(ya - yb) == 1 ? 0.6 : 0 } })
        let journal = a.journal.isEmpty || b.journal.isEmpty ? nil : DedupSimilarity.journal(a.journal, b.journal)
        field("journal", 1, journal)
        // A record whose volume, issue and pages moved one field down (volume empty, the volume in the issue, the
        // issue in the pages), as some conference exports have them: its volume is its issue; its page is unknown.
        let shifted = Self.shifted(a, b) || Self.shifted(b, a)
        let (volumeA, volumeB) = shifted ? (a.volume ?? a.issue, b.volume ?? b.issue) : (a.volume, b.volume)
        field("volume", 1.5, volumeA.flatMap { va in volumeB.map { vb -> Double in va == vb ? 1 : 0 } })
        let samePage = a.page.isEmpty || b.page.isEmpty || shifted ? nil : (a.page == b.page || Self.sameDigits(a.page, b.page))
        let sameLastPage = !a.lastPage.isEmpty && a.lastPage == b.lastPage
        field("pages", 3, samePage.map { $0 ? 1 : sameLastPage ? 0.7 : 0 })
        let sameVolume = volumeA != nil && volumeA == volumeB
        let other = weight > 0 ? agree / weight : 0.5
        let sameYear = a.year != nil && a.year == b.year
        let sameAuthors = (authors ?? 0) >= 0.85
        let sameJournal = (journal ?? 0) >= 0.85
        let (fewer, more) = a.titleNumbers.count <= b.titleNumbers.count ? (a.titleNumbers, b.titleNumbers) : (b.titleNumbers, a.titleNumbers)
        let numbersAgree = fewer.isEmpty || more.starts(with: fewer)
        // Same title, authors, year, journal and first page: one publication, even when one record carries a wrong DOI.
        let citation = hasTitles && title >= 0.97 && numbersAgree && sameAuthors && sameYear && sameJournal && samePage == true
        // A DOI shared by records with different titles on different first pages names an issue or a supplement.
        let doiDecides = sharedDOI && (samePage != false || title >= 0.97)
        // A notice (erratum, reply) and the publication it is about are different records unless asked otherwise.
        let noticeMismatch = a.notice != b.notice

        var score: Double
        if hasTitles {
            score = weight > 0 ? 0.6 * title + 0.4 * other : 0.9 * title
            if !numbersAgree { score -= 0.15 }
            // A title that is not the same needs the volume or the first page to agree.
            if title < 0.97 && samePage != true && !sameVolume && !doiDecides && !samePMID { score -= 0.08 }
            if samePage == false && !sameLastPage { score -= 0.05 }
            if numbersAgree && sameAuthors && sameYear && sameJournal {
                // The same long title by the same authors in the same journal and year, on another page: a meeting
                // abstract and its article in one journal, a record with shifted fields, or an erratum under the
                // article's title.
                if title >= 0.97 && a.title.count >= 40 { score = max(score, Self.ruleScore) }
                // The same journal, volume and page range with a title that differs: a translated title.
                if samePage == true && sameVolume && sameLastPage && a.page != a.lastPage
                    && DedupSimilarity.title(a.title, b.title, minimum: 0.5) >= 0.5
                {
                    score = max(score, Self.ruleScore)
                }
            }
        } else {
            // Without both titles, only the other fields speak: all of authors, year, volume and pages must be known.
            score = weight >= 9.5 ? other * 0.95 : other * 0.8
            if samePage == false && !sameLastPage { score -= 0.05 }
        }
        if doiConflict && !citation { score -= 0.15 }
        if pmidConflict { score -= 0.3 }
        if (doiDecides || samePMID) && (!hasTitles || title >= 0.6) { score = 1 }
        if noticeMismatch && !samePMID && !(sharedDOI && samePage == true) {
            if linkNotices && hasTitles && title >= 0.9 && numbersAgree && (journal.map { $0 >= 0.85 } ?? true)
                && (a.year == nil || b.year == nil || abs(a.year! - b.year!) <= 1)
            {
                score = max(score, Self.ruleScore)
                matched.append("notice")
            } else {
                score = min(score, 0.5)
            }
        }
        score = min(1, max(0, score))
        return ((score * 1000).rounded() / 1000, matched.joined(separator: "+"), citation)
    }

    /// True when `a` has no volume, its issue is `b`'s volume and its first page is `b`'s issue.
    private static func shifted(_ a: DedupFeatures, _ b: DedupFeatures) -> Bool {
        guard a.volume == nil, let issue = a.issue, issue == b.volume, let bIssue = b.issue else { return false }
        return DedupText.leadingNumber(a.page) == bIssue && a.lastPage.isEmpty
    }

    /// True when two page keys have the same, non-empty, digits (`c37` and `37`, `S354` and `354`).
    private static func sameDigits(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let x = DedupText.digits(a)
        return !x.isEmpty && x == DedupText.digits(b)
    }

    // MARK: Merging

    /// One record from a cluster (members in input order): the first member's id, source and raw fields, and for
    /// every other field the most complete value among the members.
    static func merge(_ members: [Record]) -> Record {
        var r = members[0]
        func most<T>(_ value: (Record) -> T?, _ size: (T) -> Int) -> T? {
            var best: T? = nil
            var bestSize = 0
            for m in members {
                if let v = value(m), size(v) > bestSize {
                    best = v
                    bestSize = size(v)
                }
            }
            return best
        }
        func union(_ value: (Record) -> [String]) -> [String] {
            var seen: Set<String> = []
            return members.flatMap(value).filter { seen.insert($0).inserted }
        }
        r.type = r.type ?? members.lazy.compactMap(\.type).first
        r.title = r.title ?? members.lazy.compactMap(\.title).first
        if let authors = most({ m -> [Author]? in m.authors.isEmpty ? nil : m.authors }, { list in list.count * 10_000 + list.reduce(0) { $0 + ($1.given?.count ?? 0) } }) {
            r.authors = authors
        }
        r.year = r.year ?? members.lazy.compactMap(\.year).first
        r.journal = most(\.journal, { $0.count })
        r.volume = r.volume ?? members.lazy.compactMap(\.volume).first
        r.issue = r.issue ?? members.lazy.compactMap(\.issue).first
        r.pages = most({ m -> PageRange? in m.pages.flatMap { $0.isEmpty ? nil : $0 } }, { p in (p.start == nil ? 0 : 1) + (p.end == nil ? 0 : 1) })
        let dois = union { [$0.doi].compactMap { $0 } + $0.dois }
        r.doi = dois.first
        r.dois = Array(dois.dropFirst())
        r.pmid = r.pmid ?? members.lazy.compactMap(\.pmid).first
        r.issn = union(\.issn)
        r.isbn = union(\.isbn)
        r.abstract = most(\.abstract, { $0.count })
        r.keywords = union(\.keywords)
        r.language = r.language ?? members.lazy.compactMap(\.language).first
        r.urls = union(\.urls)
        r.members = members.map(\.id)
        return r
    }
}

/// A link between two records (indices into the input) with its score and matched fields.
struct Edge: Sendable {
    var a: Int32
    var b: Int32
    var score: Double
    var match: String
    /// Same title, authors, year, journal and first page.
    var citation: Bool
}

/// Union–find over record indices, with what each cluster holds (DOIs, PMIDs, a title) to refuse links that
/// would chain unrelated records together.
struct Clusters {
    private var parent: [Int32]
    private var size: [Int32]
    private var dois: [Int32: Set<UInt64>] = [:]
    private var pmids: [Int32: Set<UInt64>] = [:]
    private var members: [Int32: [Int32]] = [:]
    /// The distinct non-empty titles of each cluster of two or more.
    private var titles: [Int32: [[UInt8]]] = [:]
    private var features: [DedupFeatures]
    private let cannot: [Int32: [Int32]]

    init(features: [DedupFeatures], cannot: [Int32: [Int32]]) {
        self.features = features
        self.cannot = cannot
        parent = Array(0..<Int32(features.count))
        size = Array(repeating: 1, count: features.count)
    }

    /// Frees the features (and what was kept of them) once no more links will be made; `find` still works.
    mutating func releaseFeatures() {
        features = []
        dois = [:]
        pmids = [:]
        titles = [:]
        members = [:]
    }

    mutating func find(_ x: Int32) -> Int32 {
        var r = x
        while parent[Int(r)] != r { r = parent[Int(r)] }
        var y = x
        while parent[Int(y)] != r {
            let next = parent[Int(y)]
            parent[Int(y)] = r
            y = next
        }
        return r
    }

    private func identifiers(_ root: Int32, _ keyPath: KeyPath<DedupFeatures, [UInt64]>, _ store: [Int32: Set<UInt64>]) -> Set<UInt64> {
        store[root] ?? Set(features[Int(root)][keyPath: keyPath])
    }

    private func memberList(_ root: Int32) -> [Int32] { members[root] ?? [root] }

    private func titleList(_ root: Int32) -> [[UInt8]] {
        if let list = titles[root] { return list }
        let t = features[Int(root)].title
        return t.isEmpty ? [] : [t]
    }

    /// Joins the clusters of `a` and `b`; returns false when they were one already or the guard refuses.
    /// The guard refuses when a member of one was decided different from a member of the other, when both
    /// clusters carry DOIs (or PMIDs) and share none, or when a member's title is far from every title of the other.
    /// A `citation` link (same title, authors, year, journal and first page) may join clusters whose DOIs differ.
    mutating func union(_ a: Int32, _ b: Int32, guarded: Bool, citation: Bool = false) -> Bool {
        var ra = find(a), rb = find(b)
        if ra == rb { return false }
        let ma = memberList(ra), mb = memberList(rb)
        if !cannot.isEmpty {
            let setB = Set(mb)
            for x in ma { for y in cannot[x] ?? [] where setB.contains(y) { return false } }
        }
        let da = identifiers(ra, \.dois, dois), db = identifiers(rb, \.dois, dois)
        let pa = identifiers(ra, \.pmidList, pmids), pb = identifiers(rb, \.pmidList, pmids)
        if guarded {
            if !pa.isEmpty && !pb.isEmpty && pa.isDisjoint(with: pb) { return false }
            if !citation && !da.isEmpty && !db.isEmpty && da.isDisjoint(with: db) && (ma.count > 1 || mb.count > 1) { return false }
            if ma.count > 1 || mb.count > 1 {
                // Every title of one side must be close to some title of the other.
                let ta = titleList(ra), tb = titleList(rb)
                if !ta.isEmpty && !tb.isEmpty {
                    let (small, large) = ta.count <= tb.count ? (ta, tb) : (tb, ta)
                    for x in small where !large.contains(where: { DedupSimilarity.title(x, $0, minimum: 0.7) >= 0.7 }) { return false }
                }
            }
        }
        if size[Int(ra)] < size[Int(rb)] || (size[Int(ra)] == size[Int(rb)] && rb < ra) { swap(&ra, &rb) }
        parent[Int(rb)] = ra
        size[Int(ra)] += size[Int(rb)]
        dois[ra] = da.union(db)
        pmids[ra] = pa.union(pb)
        members[ra] = (ma.count >= mb.count ? ma : mb) + (ma.count >= mb.count ? mb : ma)
        var merged = titleList(ra)
        for t in titleList(rb) where !merged.contains(t) { merged.append(t) }
        titles[ra] = merged
        titles[rb] = nil
        dois[rb] = nil
        pmids[rb] = nil
        members[rb] = nil
        return true
    }
}

extension DedupFeatures {
    /// The PMID as a hash, in a list of none or one.
    var pmidList: [UInt64] { pmid.map { [DedupText.hash(2, $0.utf8)] } ?? [] }
}

/// Errors of deduplication; each names the file and line where it can.
public enum DedupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A decision names a record id that is not among the records.
    case unknownRecord(file: String, line: Int, id: String)
    /// Two records share an id.
    case duplicateID(String)
    /// A decisions file row is malformed.
    case malformedDecision(file: String, line: Int, message: String)

    public var description: String {
        switch self {
        case let .unknownRecord(file, line, id):
            return "\(file):\(line): unknown record id \"\(id)\" (not among the records being deduplicated); fix or remove the row"
        case let .duplicateID(id):
            return "record id \"\(id)\" appears twice in the records; every record needs its own id"
        case let .malformedDecision(file, line, message):
            return "\(file):\(line): \(message)"
        }
    }
}
