-- The NRP-92 files of a day speak of the same references and debtors: every reference's debtor
-- is in persona, every guarantee row's reference is in referencia with the same collateral value
-- (valor_garantia_proporcional = valor_garantia_cons = valor_mercado), and every debtor in
-- persona has a reference.
select 'reference without its debtor' as problem, refs.as_of_date, refs.num_referencia as reference
from {{ ref('report_nrp_92_referencia') }} as refs
left join {{ ref('report_nrp_92_persona') }} as debtors
    on debtors.as_of_date = refs.as_of_date and debtors.numero_documento = refs.documento_deudor
where debtors.numero_documento is null
union all
select 'debtor without a reference', debtors.as_of_date, debtors.numero_documento
from {{ ref('report_nrp_92_persona') }} as debtors
left join {{ ref('report_nrp_92_referencia') }} as refs
    on refs.as_of_date = debtors.as_of_date and refs.documento_deudor = debtors.numero_documento
where refs.num_referencia is null
union all
select 'guarantee not matching its reference', links.as_of_date, links.num_referencia
from {{ ref('report_nrp_92_referencia_garantia') }} as links
left join {{ ref('report_nrp_92_referencia') }} as refs
    on refs.as_of_date = links.as_of_date and refs.num_referencia = links.num_referencia
left join {{ ref('report_nrp_92_garantia_criptomonedas') }} as bitcoin
    on bitcoin.as_of_date = links.as_of_date and bitcoin.num_referencia = links.num_referencia
where refs.num_referencia is null or bitcoin.num_referencia is null
   or refs.valor_garantia_cons <> links.valor_garantia_proporcional
   or bitcoin.valor_mercado <> links.valor_garantia_proporcional
