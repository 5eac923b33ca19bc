"""Draw the stratified sample of (affiliation, aff_domain) pairs for the places gold set.

Input: the pairs table written by extract_pairs.py (outside the repo).
Output: gold/places/sample.csv (affiliation, aff_domain, venue_year, upstream_country,
stratum, split), which the labeller then labels by hand into places.csv.

Strata are found by keyword searches (regexes below) over every venue; a pair goes to the
first stratum in STRATA order whose pattern matches. Within a stratum the draw is random
with a fixed seed, capped per sub-group (company / campus) so one big name does not fill it.
Split: sha1 of the affiliation string, even first byte -> dev, odd -> test.
"""
import csv
import hashlib
import random
import re
import sys

import pandas as pd

SEED = 20261204
PAIRS = sys.argv[1] if len(sys.argv) > 1 else "/tmp/places_pairs.tsv"
OUT = "gold/places/sample.csv"

FELLOW = r"(?:\bcifar\b|ai chair|visiting (professor|scholar|researcher|chair)|\bfellowship\b|\bfellow\b|adjunct|\bellis\b|turing (ai )?fellow|\baffiliate\b)"
BRANCH = {
    "cuhk-sz": r"chinese university of hong kong,? ?\(?shenzhen|cuhk[- ]?\(?sz|cuhk-shenzhen|cuhk\.edu\.cn",
    "nyu-sh": r"nyu shanghai|new york university shanghai|shanghai.*new york university",
    "nyu-ad": r"nyu abu dhabi|new york university abu dhabi",
    "dku": r"duke kunshan|dukekunshan",
    "monash-my": r"monash.*malaysia|monash\.edu\.my",
    "xjtlu": r"xi.?an jiaotong.?liverpool|xjtlu",
    "unnc": r"nottingham ningbo|nottingham.edu.cn|nottingham.*ningbo",
    "unm": r"nottingham malaysia|nottingham\.edu\.my",
    "hw-my": r"heriot.?watt.*(malaysia|dubai)|hw\.ac\.uk.*my",
    "cmu-q": r"carnegie mellon.*(qatar|africa|rwanda|australia)|qatar\.cmu|cmu.*qatar",
    "tamu-q": r"texas a ?& ?m.*qatar|qatar\.tamu",
    "gt-far": r"georgia tech.*(shenzhen|lorraine|europe)|georgia institute of technology.*(shenzhen|lorraine)",
    "hit-sz": r"harbin institute of technology.*(shenzhen|weihai)|hit\.edu\.cn.*sz|hitsz",
    "pku-sz": r"peking university.*shenzhen|pkusz",
    "thu-sz": r"tsinghua.*shenzhen|sigs",
    "hkust-gz": r"hong kong university of science and technology.*guangzhou|hkust.?\(?gz|hkust-gz",
    "other-branch": r"yale-nus|rmit.*vietnam|swinburne.*sarawak|curtin.*(malaysia|sarawak)|southampton.*malaysia|sun yat-sen.*shenzhen|shandong university.*weihai|wenzhou-kean|kean university|university of michigan.*shanghai jiao tong|sjtu.*joint institute|joint institute.*michigan|zhejiang university.*(illinois|edinburgh)|zju-uiuc|beijing normal university.*zhuhai|bnu-hkbu|united international college|ucl.*qatar|sorbonne.*abu dhabi|weill cornell.*qatar|kaist.*(new york)|mit.*singapore|singapore-mit|ecnu.*nyu",
}
HKTWMO = {
    "hk": r"hong kong|\bhku\b|\bcuhk\b|hkust|polyu|cityu|\bhkbu\b|lingnan|\.hk\b",
    "tw": r"taiwan|taipei|hsinchu|tainan|taichung|tsing hua|chiao tung|academia sinica|\.tw\b|yang ming",
    "mo": r"maca[uo]|\.mo\b",
}
SUBSID = {
    "samsung-sub": r"samsung (research|ai center|ai centre|electronics).*(america|uk|cambridge|toronto|montreal|moscow|new york|poland|bangalore|india|china|beijing|israel)|samsung sait|samsung research america|sra\b",
    "huawei-sub": r"huawei.*(canada|toronto|montreal|edmonton|munich|germany|paris|france|london|uk|cambridge|zurich|moscow|russia|ireland|dublin|finland|helsinki|sweden|israel|hong kong|singapore|u\.?s\.?a|america|santa clara)",
    "baidu-sub": r"baidu (usa|research usa|silicon valley)|baidu.*sunnyvale",
    "tencent-sub": r"tencent america|tencent.*(seattle|palo alto|bellevue)",
    "bytedance-sub": r"bytedance.*(usa|us|mountain view|singapore|london|seattle)|tiktok",
    "alibaba-sub": r"ant group|ant financial|alibaba.*(us|usa|sunnyvale|bellevue|singapore)|lazada|alibaba cloud",
    "sony-sub": r"sony (ai|computer science lab|europe|interactive)|sony.*(zurich|stuttgart|paris|tokyo)",
    "toyota-sub": r"toyota (research|technological institute)|toyota.*(europe|chicago)|\btri\b",
    "honda-sub": r"honda research institute",
    "nec-sub": r"nec lab|nec corporation|nec europe",
    "merl": r"mitsubishi electric research|\bmerl\b",
    "bosch-sub": r"bosch",
    "siemens-sub": r"siemens",
    "naver-sub": r"naver labs|naver clova|naver",
    "other-sub": r"element ai|uber atg|uber advanced|preferred networks|rakuten|yahoo (japan|research)|adobe research|apple|intel labs|disney research|nokia bell|bell labs|qualcomm|borealis ai|ericsson|kuaishou|megvii|sensetime|jd (ai|explore|\.com)|didi|meituan|xiaomi|oppo|vivo|lg (ai|electronics)|kakao|line corp|hitachi|fujitsu|toshiba|panasonic|ntt|denso|bmw|volkswagen|mercedes|waymo|zoox|x, the moonshot|salesforce",
}
MULTI = {
    "msr-asia": r"microsoft research asia|\bmsra\b|msr asia",
    "msr-other": r"microsoft research (cambridge|montreal|india|new england|redmond|new york|lab)|microsoft research",
    "microsoft": r"microsoft",
    "deepmind": r"deepmind",
    "google": r"google|brain team",
    "meta": r"facebook|\bfair\b|meta ai|meta platforms|meta reality|^meta$|meta inc",
    "huawei": r"huawei|noah.?s ark",
    "alibaba": r"alibaba|damo academy|taobao|alipay",
    "samsung": r"samsung",
    "nvidia": r"nvidia",
    "amazon": r"amazon|aws ai",
    "ibm": r"\bibm\b",
    "baidu": r"baidu",
    "tencent": r"tencent|wechat",
    "bytedance": r"bytedance|byte dance",
    "sony": r"sony",
    "intel": r"\bintel\b",
}
CAP = {"multinational": 8, "branch": 6, "hktwmo": 25, "subsidiary": 4}
TARGET = {"multinational": 115, "branch": 55, "hktwmo": 55, "subsidiary": 45, "fellowship": 25,
          "upstream_suspect": 40, "random": 100}

TLD = {"de": "Germany", "fr": "France", "uk": "United Kingdom", "jp": "Japan", "kr": "South Korea",
       "cn": "China", "ca": "Canada", "au": "Australia", "it": "Italy", "es": "Spain", "nl": "Netherlands",
       "ch": "Switzerland", "se": "Sweden", "sg": "Singapore", "in": "India", "il": "Israel",
       "br": "Brazil", "at": "Austria", "be": "Belgium", "dk": "Denmark", "fi": "Finland",
       "no": "Norway", "pl": "Poland", "pt": "Portugal", "ru": "Russia", "cz": "Czech Republic",
       "gr": "Greece", "ie": "Ireland", "nz": "New Zealand", "hk": "Hong Kong", "tw": "Taiwan",
       "mo": "Macau", "my": "Malaysia", "sa": "Saudi Arabia", "ae": "United Arab Emirates",
       "qa": "Qatar", "tr": "Turkey", "ir": "Iran", "mx": "Mexico", "ar": "Argentina", "cl": "Chile",
       "za": "South Africa", "eg": "Egypt", "vn": "Vietnam", "th": "Thailand", "hu": "Hungary"}


# Phase 2 (top-up, appended after the phase-1 rows so their row numbers stay fixed): the
# phase-1 draw filled the branch and multinational strata before some named sub-groups came
# up (no Duke Kunshan, Heriot-Watt Malaysia, ByteDance, MSR Cambridge/India...). Up to
# TOPUP_N strings per group below, same shuffled order, not already drawn.
TOPUP_N = 3
TOPUP = {
    "branch": {
        "dku": r"duke kunshan|dukekunshan",
        "hw-my": r"heriot.?watt.*malaysia",
        "nyu-sh": r"nyu shanghai|new york university shanghai|shanghai.*new york university|nyu.*shanghai",
        "monash-my": r"monash.*malaysia",
        "unm": r"nottingham.*malaysia",
        "bare-parent": r"^(the )?(heriot.?watt university|new york university|monash university|university of nottingham|carnegie mellon university|duke university|university of liverpool) \|",
    },
    "multinational": {
        "msr-cambridge": r"microsoft research,? cambridge|msr cambridge|microsoft research ltd",
        "msr-india": r"microsoft research,? india|msr india|microsoft research lab.? india",
        "bytedance": r"bytedance|byte dance",
        "deepmind-2": r"deepmind",
        "google-site": r"google.*(zurich|zürich|tokyo|paris|london|toronto|montreal|bangalore|tel aviv|beijing|accra|berlin|amsterdam)",
        "fair-site": r"(facebook|meta).*(paris|london|montreal|tel aviv|menlo park|new york|seattle|pittsburgh)",
        "noah-site": r"noah.?s ark.*(montreal|toronto|edmonton|london|paris|hong kong|shenzhen|beijing|shanghai|canada)",
        "samsung-aic": r"samsung ai cent",
        "sony-2": r"\bsony\b",
        "amazon-site": r"amazon.*(berlin|tübingen|tuebingen|cambridge|barcelona|bangalore|haifa|tel aviv|edinburgh|seattle)",
    },
}


def split_of(aff):
    return "dev" if hashlib.sha1(aff.encode("utf-8")).digest()[0] % 2 == 0 else "test"


def first_match(text, groups):
    for g, pat in groups.items():
        if re.search(pat, text, re.I):
            return g
    return None


def suspect(row):
    """Candidate for 'upstream country looks wrong': domain ccTLD disagrees with upstream."""
    d = str(row.aff_domain or "").strip().lower()
    up = str(row.upstream_country or "")
    if not d or not up or "+" in up:
        return False
    tld = d.rsplit(".", 1)[-1]
    c = TLD.get(tld)
    if c is None or c == up:
        return False
    if c in ("Hong Kong", "Taiwan", "Macau") and up == "China":
        return False  # already covered by the hktwmo stratum
    return True


def main():
    df = pd.read_csv(PAIRS, sep="\t", dtype=str, keep_default_na=False, quoting=csv.QUOTE_NONE)
    # The draw was made with the naive country reading (see extract_pairs.py); keep it so the
    # sample reproduces. The corrected upstream country is joined on afterwards.
    df["upstream_country_fixed"] = df.upstream_country
    df["upstream_country"] = df.upstream_country_v1
    df["text"] = df.affiliation + " | " + df.aff_domain
    df["key"] = df.affiliation.str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()
    rng = random.Random(SEED)
    order = list(df.index)
    rng.shuffle(order)
    df = df.loc[order]
    df = df.drop_duplicates("key")  # one pair per near-identical string
    taken = set()
    rows = []

    def draw(stratum, cands, capkey=None):
        n = TARGET[stratum]
        per = {}
        for idx, r in cands.iterrows():
            if len([x for x in rows if x["stratum"] == stratum]) >= n:
                break
            if idx in taken:
                continue
            g = r[capkey] if capkey else None
            if capkey and per.get(g, 0) >= CAP[stratum]:
                continue
            per[g] = per.get(g, 0) + 1
            taken.add(idx)
            rows.append(dict(affiliation=r.affiliation, aff_domain=r.aff_domain, venue_year=r.venue_year,
                             upstream_country=r.upstream_country_fixed, upstream_country_v1=r.upstream_country,
                             stratum=stratum, split=split_of(r.affiliation), group=g or ""))

    fel = df[df.affiliation.str.contains(FELLOW, case=False, regex=True)]
    draw("fellowship", fel)
    df["g_branch"] = df.text.map(lambda t: first_match(t, BRANCH))
    draw("branch", df[df.g_branch.notna()], "g_branch")
    df["g_hk"] = df.text.map(lambda t: first_match(t, HKTWMO))
    draw("hktwmo", df[df.g_hk.notna() & df.g_branch.isna()], "g_hk")
    df["g_sub"] = df.affiliation.map(lambda t: first_match(t, SUBSID))
    draw("subsidiary", df[df.g_sub.notna()], "g_sub")
    df["g_multi"] = df.text.map(lambda t: first_match(t, MULTI))
    m = df[df.g_multi.notna()]
    # company-name-only strings get a guaranteed share of the multinational stratum
    short = m[m.affiliation.str.split().str.len() <= 2]
    TARGET["multinational"], full = 30, TARGET["multinational"]
    draw("multinational", short, "g_multi")
    TARGET["multinational"] = full
    draw("multinational", m, "g_multi")
    sus = df[df.apply(suspect, axis=1) & df.g_multi.isna() & df.g_sub.isna()]
    draw("upstream_suspect", sus)
    rest = df[df.g_multi.isna() & df.g_sub.isna() & df.g_hk.isna() & df.g_branch.isna()]
    draw("random", rest)
    for stratum, groups in TOPUP.items():
        for g, pat in groups.items():
            c = df[df.text.str.contains(pat, case=False, regex=True) & ~df.index.isin(list(taken))]
            for idx, r in c.head(TOPUP_N).iterrows():
                taken.add(idx)
                rows.append(dict(affiliation=r.affiliation, aff_domain=r.aff_domain, venue_year=r.venue_year,
                                 upstream_country=r.upstream_country_fixed, upstream_country_v1=r.upstream_country,
                                 stratum=stratum, split=split_of(r.affiliation), group="topup:" + g))
    out = pd.DataFrame(rows)
    out.to_csv(OUT, index=False)
    print(out.groupby(["stratum", "split"]).size().unstack())
    print(out.groupby(["stratum", "group"]).size().to_string())


if __name__ == "__main__":
    main()
