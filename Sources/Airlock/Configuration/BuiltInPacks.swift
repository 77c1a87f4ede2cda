// GENERATED from rules/*.yaml by Scripts/generate-packs.py: do not edit.

/// The built-in rule packs, compiled in so that the `airlock` binary is self-contained.
enum BuiltInPacks {
  static let texts: [String: String] = [
    "abs-datalab": #"""
    # ABS DataLab: the "rule of 10"; dominance (1, 50%) and (2, 67%) for magnitudes (applied by the magnitude rules).
    # Source: abs.gov.au DataLab output clearance rules.
    format: 1
    name: abs-datalab
    version: "1.0.0"
    extends: default
    description: Rule of 10 for counts; dominance (1, 50%) and (2, 67%) for magnitudes.
    rules:
      small-cell-count:
        threshold: 10
      nk-dominance:
        pairs: ["1:50", "2:67"]
      # Survival: no survival-specific DataLab rule found; the default's ACRO risk-set semantics (ACRO 1.0.2 `default.yaml`)
      # with the rule of 10 for the fall in the risk set.
      survival-step:
        events: risk-set
    """#,
    "datashield": #"""
    # DataSHIELD dsBase: nfilter.tab = 3, a cell fails when 0 < n < 3 (zeros allowed); nfilter.glm = 0.33.
    # Source: datashield/dsBase R/zzz.R defaults (DataSHIELD server settings).
    format: 1
    name: datashield
    version: "1.0.0"
    extends: default
    description: Non-zero counts below 3 fail (nfilter.tab); zeros allowed.
    rules:
      small-cell-count:
        threshold: 3
      zero-cell:
        enabled: false
      parameter-share:
        max_share: 0.33
      # Survival: dsBase publishes no survival tables; no source, so the default's ACRO risk-set semantics
      # (ACRO 1.0.2 `default.yaml`) stand.
      survival-step:
        events: risk-set
    """#,
    "default": #"""
    # airlock's default pack: the common rules of thumb for output checking.
    # Sources: ACRO/SACRO default.yaml (safe_threshold 10, zeros_are_disclosive, safe_nk_n 2 / safe_nk_k 0.90,
    # safe_pratio_p 0.10, safe_dof_threshold 10); ONS SRS and the ESSnet "Guidelines for output checking"
    # (10 units, zeros suppressed unless structural).
    format: 1
    name: default
    version: "1.0.0"
    description: Threshold 10 (strictly below fails), non-structural zeros disclosive, dominance (2, 90%), p% 10, residual df 10.
    margins: [Total, All]
    markers: ["*", "c", "<10", "1to5", "[REDACTED]", "REDACTED", "-", "", "NA", "n/a", "suppressed"]
    zero_markers: ["-"]
    review:
      reviewers: 2
    rules:
      small-cell-count:
        threshold: 10
        inclusive: false
        include_zero: false
        margins: true
      zero-cell:
        enabled: true
      cell-equals-total:
        enabled: true
      rounding:
        scheme: none
      survival-rounding:
        enabled: false
      # Survival: only the fall in the risk set matters at each step (ACRO `survival_safe_threshold: 10`,
      # v0.4 `surv_func`: row t unsafe if at_risk(t−1) − at_risk(t) < 10; ACRO 1.0.2 `default.yaml`).
      survival-step:
        events: risk-set
    """#,
    "genes-and-health": #"""
    # Genes & Health TRE: counts 1–5 are masked as "1to5"; R data files and binaries are refused.
    # Source: Genes & Health output-request conventions. No published
    # SDC rule set was found; the threshold follows the 1to5 masking convention.
    format: 1
    name: genes-and-health
    version: "1.0.0"
    extends: default
    description: Counts 1–5 masked as "1to5" (threshold 6); zeros published; R data files and binaries refused.
    markers: ["1to5", "*", ""]
    zero_markers: []
    rules:
      small-cell-count:
        threshold: 6
      zero-cell:
        enabled: false
      unsupported-file:
        fail_extensions: [".rdata", ".rda", ".rds", ".parquet", ".feather", ".pkl", ".pickle", ".dta", ".sav", ".sas7bdat", ".zip", ".tar", ".7z", ".ipynb", ".svg", ".gph", ".db", ".sqlite", ".xlsx", ".xls", ".exe", ".bin", ".so", ".dll"]
      # Survival: no published survival rule for Genes & Health; the default's ACRO
      # risk-set semantics (ACRO 1.0.2 `default.yaml`).
      survival-step:
        events: risk-set
    """#,
    "nhs-digital": #"""
    # NHS Digital (now NHS England) sub-national HES/ECDS rules: counts 1–7 shown as "*", every other count
    # rounded to the nearest 5, 0 stays 0.
    # Source: NHS Digital HES/ECDS disclosure control guidance (2018) and SRHAD pages.
    format: 1
    name: nhs-digital
    version: "1.0.0"
    extends: default
    description: Counts 1–7 suppressed as "*", others rounded to the nearest 5, zeros published.
    markers: ["*", ""]
    zero_markers: []
    rules:
      small-cell-count:
        threshold: 7
        inclusive: true
      zero-cell:
        enabled: false
      rounding:
        scheme: base
        base: 5
      # Survival: no survival-specific rule found; NHS Digital's 1–7 suppression applies to every count,
      # so the events at each step are counts (HES/ECDS disclosure control guidance 2018).
      survival-step:
        events: counts
    """#,
    "opensafely": #"""
    # OpenSAFELY: redact counts of 7 or fewer, then round every other count to the nearest 5;
    # midpoint-6 rounding for rates and survival tables. Zeros are usually fine, but 0% and 100% may be disclosive.
    # Source: opensafely/documentation docs/outputs/sdc.md ("Redact-then-round").
    format: 1
    name: opensafely
    version: "1.0.0"
    extends: default
    description: Redact counts ≤ 7, round the rest to the nearest 5 (totals from rounded cells); two independent output checkers.
    markers: ["[REDACTED]", "REDACTED", "*", ""]
    zero_markers: []
    review:
      reviewers: 2
    rules:
      small-cell-count:
        threshold: 7
        inclusive: true
      zero-cell:
        enabled: false
      rounding:
        scheme: base
        base: 5
      survival-rounding:
        enabled: true
      # Survival: the events at each step are counts (OpenSAFELY's `round_km`, wjchulme/osutils R/redaction.R,
      # "delaying event times until at least threshold events have occurred"), besides midpoint-6 rounding.
      survival-step:
        events: counts
    """#,
    "ukbiobank": #"""
    # UK Biobank: "5 ... minimum ... for any type of publication".
    # Source: UK Biobank community article 24842058268061.
    format: 1
    name: ukbiobank
    version: "1.0.0"
    extends: default
    description: Minimum count 5 for any publication.
    rules:
      small-cell-count:
        threshold: 5
      # Survival: UK Biobank's rule is a minimum of 5 for any publication, silent on survival steps; the
      # default's ACRO risk-set semantics (ACRO 1.0.2 `default.yaml`).
      survival-step:
        events: risk-set
    """#,
    "ukllc": #"""
    # UK LLC: counts under 10 are never released, zeros included, with no exceptions; the threshold also
    # applies to the denominators of percentages.
    # Source: guidebook.ukllc.ac.uk, statistical disclosure control.
    format: 1
    name: ukllc
    version: "1.0.0"
    extends: default
    description: Counts under 10 never released, zeros included.
    rules:
      small-cell-count:
        threshold: 10
        include_zero: true
      # Survival: "counts under 10 are never released ... no exceptions": the events at each step are counts
      # (guidebook.ukllc.ac.uk statistical disclosure control).
      survival-step:
        events: counts
    """#,
  ]
}
