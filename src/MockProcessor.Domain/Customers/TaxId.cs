using System.Collections.Frozen;
using System.Text.RegularExpressions;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;

namespace MockProcessor.Domain.Customers;

public enum TaxIdVerificationStatus { Pending, Verified, Unverified, Unavailable }

/// <summary>
/// A tax ID (<c>txi_</c>, docs/credit-notes.md "Customer tax IDs"): a customer's (owner <c>customer</c>) or the
/// merchant's own (owner <c>self</c>, <see cref="Customer"/> null). Immutable once created except for its verification,
/// which the verification timer settles; deleting is final.
/// </summary>
public sealed record TaxId : StripeObject
{
    public override string ObjectType => "tax_id";
    public string? Customer { get; init; }
    public required string Type { get; init; }
    public required string Value { get; init; }
    public string? Country { get; init; }
    public TaxIdVerificationStatus Verification { get; init; } = TaxIdVerificationStatus.Unavailable;
    public bool Deleted { get; init; }
}

/// <summary>
/// Tax ID types, their countries and the formats checked (docs/credit-notes.md), and the test-mode verification outcome.
/// </summary>
public static class TaxIdRules
{
    /// <summary>Stripe's limit on tax IDs per customer [?].</summary>
    public const int MaxPerCustomer = 25;

    /// <summary>After creation, how long a checked type stays <c>pending</c> before the emulator settles it.</summary>
    public const long VerificationDelaySeconds = 60;

    /// <summary>Every type the current API version accepts (stripe-node TaxIdCreateParams.Type) and its country.</summary>
    public static readonly FrozenDictionary<string, string?> Types = new Dictionary<string, string?>
    {
        ["ad_nrt"] = "AD", ["ae_trn"] = "AE", ["al_tin"] = "AL", ["am_tin"] = "AM", ["ao_tin"] = "AO", ["ar_cuit"] = "AR",
        ["au_abn"] = "AU", ["au_acn"] = "AU", ["au_arn"] = "AU", ["au_wpn"] = "AU", ["aw_tin"] = "AW", ["az_tin"] = "AZ",
        ["ba_tin"] = "BA", ["bb_tin"] = "BB", ["bd_bin"] = "BD", ["bf_ifu"] = "BF", ["bg_uic"] = "BG", ["bh_vat"] = "BH",
        ["bj_ifu"] = "BJ", ["bo_tin"] = "BO", ["br_cnpj"] = "BR", ["br_cpf"] = "BR", ["bs_tin"] = "BS", ["bw_vat"] = "BW",
        ["by_tin"] = "BY", ["ca_bn"] = "CA", ["ca_gst_hst"] = "CA", ["ca_pst_bc"] = "CA", ["ca_pst_mb"] = "CA",
        ["ca_pst_sk"] = "CA", ["ca_qst"] = "CA", ["cd_nif"] = "CD", ["ch_uid"] = "CH", ["ch_vat"] = "CH", ["ci_vat"] = "CI",
        ["cl_tin"] = "CL", ["cm_niu"] = "CM", ["cn_tin"] = "CN", ["co_nit"] = "CO", ["cr_tin"] = "CR", ["cv_nif"] = "CV",
        ["cz_dic"] = "CZ", ["de_stn"] = "DE", ["do_rcn"] = "DO", ["ec_ruc"] = "EC", ["eg_tin"] = "EG", ["es_cif"] = "ES",
        ["et_tin"] = "ET", ["eu_oss_vat"] = "EU", ["eu_vat"] = null, ["fo_vat"] = "FO", ["fr_siren"] = "FR",
        ["fr_siret"] = "FR", ["fr_spi"] = "FR", ["gb_vat"] = "GB", ["ge_vat"] = "GE", ["gh_tin"] = "GH", ["gi_tin"] = "GI",
        ["gn_nif"] = "GN", ["hk_br"] = "HK", ["hr_oib"] = "HR", ["hu_tin"] = "HU", ["ic_nif"] = "ES", ["id_npwp"] = "ID",
        ["il_vat"] = "IL", ["in_gst"] = "IN", ["is_kt"] = "IS", ["is_vat"] = "IS", ["it_cf"] = "IT", ["jp_cn"] = "JP",
        ["jp_rn"] = "JP", ["jp_trn"] = "JP", ["ke_pin"] = "KE", ["kg_tin"] = "KG", ["kh_tin"] = "KH", ["kr_brn"] = "KR",
        ["kz_bin"] = "KZ", ["la_tin"] = "LA", ["li_uid"] = "LI", ["li_vat"] = "LI", ["lk_vat"] = "LK", ["ma_vat"] = "MA",
        ["md_cf"] = "MD", ["md_vat"] = "MD", ["me_pib"] = "ME", ["mk_vat"] = "MK", ["mr_nif"] = "MR", ["mu_vat"] = "MU",
        ["mx_rfc"] = "MX", ["my_frp"] = "MY", ["my_itn"] = "MY", ["my_sst"] = "MY", ["mz_nuit"] = "MZ", ["ng_tin"] = "NG",
        ["no_vat"] = "NO", ["no_voec"] = "NO", ["np_pan"] = "NP", ["nz_bn"] = "NZ", ["nz_gst"] = "NZ", ["om_vat"] = "OM",
        ["pe_ruc"] = "PE", ["ph_tin"] = "PH", ["pl_nip"] = "PL", ["pt_nif"] = "PT", ["py_ruc"] = "PY", ["ro_tin"] = "RO",
        ["rs_pib"] = "RS", ["ru_inn"] = "RU", ["ru_kpp"] = "RU", ["sa_vat"] = "SA", ["sg_gst"] = "SG", ["sg_uen"] = "SG",
        ["si_tin"] = "SI", ["sm_coe"] = "SM", ["sn_ninea"] = "SN", ["sr_fin"] = "SR", ["sv_nit"] = "SV", ["th_vat"] = "TH",
        ["tj_tin"] = "TJ", ["tr_tin"] = "TR", ["tt_bir"] = "TT", ["tt_vat"] = "TT", ["tw_vat"] = "TW", ["tz_vat"] = "TZ",
        ["ua_vat"] = "UA", ["ug_tin"] = "UG", ["us_ein"] = "US", ["uy_ruc"] = "UY", ["uz_tin"] = "UZ", ["uz_vat"] = "UZ",
        ["ve_rif"] = "VE", ["vn_tin"] = "VN", ["za_vat"] = "ZA", ["zm_tin"] = "ZM", ["zw_tin"] = "ZW",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// The formats checked, on the value upper-cased with spaces removed (Stripe's examples in its tax ID guide). Types
    /// not listed take any value of 1–50 characters.
    /// </summary>
    private static readonly FrozenDictionary<string, Regex> Formats = new Dictionary<string, Regex>
    {
        ["eu_vat"] = new(@"^(ATU\d{8}|BE[01]\d{9}|BG\d{9,10}|CY\d{8}[A-Z]|CZ\d{8,10}|DE\d{9}|DK\d{8}|EE\d{9}|EL\d{9}|ES[0-9A-Z]\d{7}[0-9A-Z]|FI\d{8}|FR[0-9A-Z]{2}\d{9}|HR\d{11}|HU\d{8}|IE\d{7}[A-Z]{1,2}|IE\d[A-Z+*]\d{5}[A-Z]|IT\d{11}|LT(\d{9}|\d{12})|LU\d{8}|LV\d{11}|MT\d{8}|NL\d{9}B\d{2}|PL\d{10}|PT\d{9}|RO\d{2,10}|SE\d{12}|SI\d{8}|SK\d{10}|XI(\d{9}|\d{12}))$"),
        ["gb_vat"] = new(@"^GB(\d{9}|\d{12}|GD\d{3}|HA\d{3})$"),
        ["eu_oss_vat"] = new(@"^EU\d{9}$"),
        ["us_ein"] = new(@"^\d{2}-?\d{7}$"),
        ["au_abn"] = new(@"^\d{11}$"),
        ["au_arn"] = new(@"^\d{12}$"),
        ["ca_bn"] = new(@"^\d{9}$"),
        ["ca_gst_hst"] = new(@"^\d{9}RT\d{4}$"),
        ["ca_qst"] = new(@"^\d{10}TQ\d{4}$"),
        ["ch_vat"] = new(@"^CHE-?\d{3}\.?\d{3}\.?\d{3}(MWST|TVA|IVA)$"),
        ["no_vat"] = new(@"^\d{9}MVA$"),
        ["nz_gst"] = new(@"^\d{8,9}$"),
        ["za_vat"] = new(@"^4\d{9}$"),
        ["in_gst"] = new(@"^\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]$"),
        ["jp_cn"] = new(@"^\d{13}$"),
        ["br_cnpj"] = new(@"^\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}$"),
        ["br_cpf"] = new(@"^\d{3}\.\d{3}\.\d{3}-\d{2}$"),
        ["mx_rfc"] = new(@"^[A-ZÑ&]{3,4}\d{6}[0-9A-Z]{3}$"),
        ["sg_uen"] = new(@"^(\d{8}[A-Z]|\d{9}[A-Z]|[TSR]\d{2}[A-Z]{2}\d{4}[A-Z])$"),
        ["es_cif"] = new(@"^[A-Z]\d{8}$"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The types whose values Stripe checks with a tax authority (EU VIES, HMRC, the ABR); others are <c>unavailable</c>.</summary>
    public static readonly FrozenSet<string> Verified = new[] { "eu_vat", "gb_vat", "au_abn" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The EU VAT prefix → country (Greece writes EL; Northern Ireland XI is the UK's).</summary>
    private static string EuCountry(string prefix) => prefix switch { "EL" => "GR", "XI" => "GB", _ => prefix };

    public static IReadOnlyCollection<string> TypesChecked => Formats.Keys;

    private static string Normalise(string value) => value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();

    /// <summary>400 on <c>type</c> for a type the version does not know; 400 <c>tax_id_invalid</c> on <c>value</c> for a malformed value.</summary>
    public static StripeError? Validate(string type, string value, string typeParam = "type", string valueParam = "value")
    {
        if (!Types.ContainsKey(type)) return StripeError.InvalidEnum(typeParam, type, Types.Keys.Order(StringComparer.Ordinal));
        var normal = Normalise(value);
        if (normal.Length is 0 or > 50 || Formats.TryGetValue(type, out var format) && !format.IsMatch(normal))
            return new StripeError(400, StripeError.InvalidRequest, "tax_id_invalid",
                $"Invalid value for {type}: {value}. Check the format of the tax ID (docs/credit-notes.md lists the formats checked).", valueParam);
        return null;
    }

    public static string? CountryOf(string type, string value) =>
        type == "eu_vat" ? EuCountry(Normalise(value)[..2]) : Types.GetValueOrDefault(type);

    /// <summary><c>pending</c> for a type Stripe verifies, <c>unavailable</c> for the others.</summary>
    public static TaxIdVerificationStatus Initial(string type) =>
        Verified.Contains(type) ? TaxIdVerificationStatus.Pending : TaxIdVerificationStatus.Unavailable;

    /// <summary>
    /// The test-mode outcome of a pending verification: a value containing 000000000 is verified, one containing
    /// 111111111 unverified; any other value stays pending (no tax authority is asked) [?].
    /// </summary>
    public static TaxIdVerificationStatus? Outcome(TaxId taxId) =>
        taxId.Verification != TaxIdVerificationStatus.Pending || taxId.Deleted ? null
        : taxId.Value.Contains("000000000", StringComparison.Ordinal) ? TaxIdVerificationStatus.Verified
        : taxId.Value.Contains("111111111", StringComparison.Ordinal) ? TaxIdVerificationStatus.Unverified
        : null;
}
