// A decision that needs a reason (reject a payment, reject bank details): a dialog asking for it,
// with the server's answer shown in place when it refuses.
import { Form, Input, Modal, Typography, type InputRef } from 'antd';
import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/error-alert';

export interface ReasonDialogProps {
  open: boolean;
  title: string;
  okText: string;
  label: string;
  requiredMessage: string;
  intro?: ReactNode;
  pending: boolean;
  error: unknown;
  onSubmit: (reason: string) => void;
  onClose: () => void;
}

export function ReasonDialog(props: ReasonDialogProps) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ reason: string }>();
  // The modal takes the focus as it opens; the reason field takes it back, so a key opens the
  // dialog and the person types at once.
  const input = useRef<InputRef>(null);
  useEffect(() => {
    if (!props.open) return;
    const timer = setTimeout(() => input.current?.focus());
    return () => clearTimeout(timer);
  }, [props.open]);
  return (
    <Modal
      open={props.open}
      title={props.title}
      okText={props.okText}
      okButtonProps={{ danger: true }}
      cancelText={t('actions.cancel')}
      confirmLoading={props.pending}
      onOk={() => form.submit()}
      onCancel={props.onClose}
      destroyOnClose
      afterOpenChange={(open) => open && input.current?.focus()}
    >
      {props.intro && <Typography.Paragraph>{props.intro}</Typography.Paragraph>}
      <Form form={form} layout="vertical" preserve={false} onFinish={(values) => props.onSubmit(values.reason.trim())}>
        <Form.Item
          name="reason"
          label={props.label}
          rules={[{ required: true, whitespace: true, message: props.requiredMessage }]}
        >
          <Input ref={input} maxLength={500} />
        </Form.Item>
      </Form>
      <ErrorAlert error={props.error} />
    </Modal>
  );
}
